package jbox.text;

import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;

/**
 * jbox's own words for learners, in their language: JBOX_LANG (en or zh) if set, else the locale
 * (LC_ALL, LANG), as for lessons; or a given language (a lesson's). Texts live in
 * jbox/messages*.properties.
 */
public final class Say {
    public static final List<String> LANGUAGES = List.of("en", "zh");
    // After LANGUAGES: static fields initialise in order, and language() reads it.
    private static final Say DEFAULT = forLanguage(language());

    private final ResourceBundle bundle;

    private Say(ResourceBundle bundle) { this.bundle = bundle; }

    public static Say forLanguage(String language) {
        return new Say(ResourceBundle.getBundle("jbox.messages", Locale.forLanguageTag(language),
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES)));
    }

    public static String language() {
        String forced = System.getenv("JBOX_LANG");
        try {
            return language(forced == null || forced.isEmpty() ? null : forced);
        } catch (IllegalArgumentException e) {
            return "en";
        }
    }

    /** The language asked for (a flag, a lesson's), else the locale's (LC_ALL, LANG), else English. */
    public static String language(String flag) {
        if (flag != null) {
            if (!LANGUAGES.contains(flag)) throw new IllegalArgumentException("unknown language \"" + flag + "\": jbox speaks en and zh");
            return flag;
        }
        String env = System.getenv("LC_ALL");
        if (env == null || env.isEmpty()) env = System.getenv("LANG");
        return env != null && env.toLowerCase(Locale.ROOT).startsWith("zh") ? "zh" : "en";
    }

    /** A message in the learner's language. */
    public static String t(String key, Object... args) { return DEFAULT.text(key, args); }

    /** A Failure whose parts (KEY.what, KEY.cause, KEY.fix) are in the learner's language. */
    public static jbox.sys.Failure failure(String key, Object... args) { return failure(125, key, args); }

    public static jbox.sys.Failure failure(int exitCode, String key, Object... args) {
        return new jbox.sys.Failure(exitCode, t(key + ".what", args), DEFAULT.optional(key + ".cause", args), DEFAULT.optional(key + ".fix", args), null);
    }

    private String optional(String key, Object... args) { return bundle.containsKey(key) ? text(key, args) : null; }

    public String text(String key, Object... args) {
        String text = bundle.getString(key);
        return args.length == 0 ? text : String.format(Locale.ROOT, text, args);
    }
}
