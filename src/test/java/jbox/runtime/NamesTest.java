package jbox.runtime;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Made-up container names: unique however many containers there are (a benchmark once hung at the 325th). */
class NamesTest {
    @Test
    void aNameIsFoundWhenEveryPlainNameIsTaken() {
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            String n = Names.unusedName(taken::contains, Names.newId());
            assertTrue(taken.add(n), "unique: " + n);
            Names.validate(n);
        }
        assertTrue(taken.stream().anyMatch(n -> n.matches("[a-z]+_[a-z]+_\\d+")), "numbers are added, as docker does");
    }
}
