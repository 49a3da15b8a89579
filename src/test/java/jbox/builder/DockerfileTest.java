package jbox.builder;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The Dockerfile parser, word expansion and .dockerignore, on the cases docker's documentation gives. */
class DockerfileTest {
    @Test
    void linesContinueCommentsDropAndJsonFormIsRead() {
        Dockerfile df = Dockerfile.parse("Dockerfile", """
                # syntax=docker/dockerfile:1
                from busybox AS base

                RUN echo one \\
                # a comment inside is dropped
                    && echo two
                CMD ["sh", "-c", "echo hi"]
                CMD [not json
                COPY --chown=1:2 --chmod=644 a b /dst/
                """);
        List<Dockerfile.Instruction> in = df.instructions();
        assertEquals(5, in.size());
        assertEquals("FROM", in.get(0).keyword());
        assertEquals(2, in.get(0).line());
        assertEquals("echo one     && echo two", in.get(1).args());
        assertEquals(4, in.get(1).line(), "the line an instruction starts on");
        assertEquals(List.of("sh", "-c", "echo hi"), in.get(2).json());
        assertNull(in.get(3).json(), "not JSON: the shell form, as in docker");
        assertEquals(Map.of("chown", "1:2", "chmod", "644"), in.get(4).flags());
        assertEquals("a b /dst/", in.get(4).args());
    }

    @Test
    void theEscapeDirectiveChangesTheContinuationCharacter() {
        Dockerfile df = Dockerfile.parse("Dockerfile", "# escape=`\nFROM busybox\nRUN dir c:\\ `\n  && echo ok\n");
        assertEquals("dir c:\\   && echo ok", df.instructions().get(1).args());
    }

    @Test
    void errorsNameTheFileAndLine() {
        BuildException e = assertThrows(BuildException.class, () -> Dockerfile.parse("app.df", "FROM busybox\n\nCOPPY a b\n"));
        assertTrue(e.getMessage().startsWith("app.df:3: unknown instruction COPPY"), e.getMessage());
        assertThrows(BuildException.class, () -> Dockerfile.parse("empty", "# nothing\n\n"));
    }

    @Test
    void wordsExpandLikeDockers() {
        Map<String, String> vars = Map.of("A", "x", "EMPTY", "", "SP", "a b");
        assertEquals(List.of("x", "x", "dflt", "alt", "", "$A", "a b", "lit$A"),
                ShellWords.split("$A ${A} ${NONE:-dflt} ${A:+alt} ${EMPTY:+alt} '$A' \"$SP\" lit\\$A", vars));
        assertEquals("/my dir/x", ShellWords.word("/my dir/$A", vars), "WORKDIR keeps blanks");
        assertEquals(List.of("k=v 1", "j=2"), ShellWords.split("k=\"v 1\" j=2", vars));
        assertThrows(BuildException.class, () -> ShellWords.split("\"open", vars));
    }

    @Test
    void dockerignoreMatchesLikeDockers() {
        DockerIgnore ig = DockerIgnore.parse("""
                # comment
                *.key
                build/
                **/*.tmp
                docs/*
                !docs/keep.md
                """);
        assertTrue(ig.excludes("secret.key"));
        assertFalse(ig.excludes("sub/secret.key"), "* does not cross directories");
        assertTrue(ig.excludes("build/out/a.o"), "a directory excludes what is in it");
        assertTrue(ig.excludes("a/b/c.tmp") && ig.excludes("c.tmp"), "** is any number of directories, also none");
        assertTrue(ig.excludes("docs/other.md"));
        assertFalse(ig.excludes("docs/keep.md"), "! takes a path back");
        assertFalse(ig.excludes("Dockerfile"));
    }
}
