package jbox.api;

/** The Docker Engine API versions jbox's daemon speaks. */
public final class Versions {
    /** The newest API version served: the one Debian's docker.io 20.10 speaks, which covers everything jbox implements. */
    public static final String API = "1.41";
    public static final String MIN_API = "1.24";

    private Versions() {}

    /** True when a client's version (from its /vX.Y/ path prefix) is one this daemon speaks. */
    public static boolean supported(String v) {
        return v == null || (compare(v, MIN_API) >= 0 && compare(v, API) <= 0);
    }

    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        int c = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
        return c != 0 ? c : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
    }
}
