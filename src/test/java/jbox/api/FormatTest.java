package jbox.api;

import jbox.text.Format;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Output has to read like docker's, because people compare the two. */
class FormatTest {
    @Test
    void durationsReadLikeDockers() {
        assertEquals("Less than a second", Format.duration(Duration.ofMillis(300)));
        assertEquals("1 second", Format.duration(Duration.ofSeconds(1)));
        assertEquals("42 seconds", Format.duration(Duration.ofSeconds(42)));
        assertEquals("About a minute", Format.duration(Duration.ofSeconds(90)));
        assertEquals("5 minutes", Format.duration(Duration.ofMinutes(5)));
        assertEquals("About an hour", Format.duration(Duration.ofMinutes(61)));
        assertEquals("3 hours", Format.duration(Duration.ofHours(3)));
        assertEquals("3 days", Format.duration(Duration.ofDays(3)));
        assertEquals("56 years", Format.duration(Duration.ofDays(365L * 56 + 20)));
    }

    @Test
    void sizesUseDecimalUnitsWithThreeDigits() {
        assertEquals("1.98MB", Format.size(1_982_420));
        assertEquals("776B", Format.size(776));
        assertEquals("4.26GB", Format.size(4_260_000_000L));
    }

    @Test
    void tablesPadEachColumnToItsWidestCellPlusThree() {
        String t = Format.table(List.of(new String[]{"A", "BB"}, new String[]{"long", "x"}));
        assertEquals("A      BB\nlong   x\n", t);
    }

    @Test
    void chineseCellsTakeTwoColumnsPerCharacter() {
        String t = Format.table(List.of(new String[]{"类型", "宿主机", "x"}, new String[]{"uts", "uts:[1]", "共享"}));
        assertEquals("类型   宿主机    x\nuts    uts:[1]   共享\n", t);
    }
}
