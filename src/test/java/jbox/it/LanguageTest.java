package jbox.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** jbox speaks the learner's language in UTF-8, also where the host has not generated the locale. */
class LanguageTest {
    @TempDir
    Path root;

    private Jbox chinese() {
        Jbox j = new Jbox(root);
        j.env.remove("JBOX_LANG");
        j.env.put("LANG", "zh_CN.UTF-8");
        j.env.remove("LC_ALL");
        j.env.put("LOCPATH", root.resolve("no-locales").toString()); // glibc finds no locale at all: Java falls back to ASCII
        return j;
    }

    @Test
    void chineseOutputIsUtf8WithoutTheLocale() throws Exception {
        var list = chinese().run("lesson", "list");
        assertEquals(0, list.code(), list.all());
        assertTrue(list.out().contains("虚拟机与容器"), "lesson titles in Chinese, not ???: " + list.out());
        assertFalse(list.out().contains("??"), list.out());
        var usage = chinese().run("lesson", "--help");
        assertTrue(usage.out().startsWith("用法：jbox lesson"), usage.out());
        var error = chinese().run("lesson", "start", "nosuch");
        assertTrue(error.err().contains("可能的原因："), "the error's labels in Chinese: " + error.err());
    }

    @Test
    void chineseReadFromAScriptComesBackWhole() throws Exception {
        Path script = java.nio.file.Files.writeString(root.resolve("s.jbox"), "host echo 你好，容器\n");
        var r = chinese().run("shell", "--script", script.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("你好，容器"), r.out());
    }
}
