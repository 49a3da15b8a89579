package jbox.image;

import java.util.regex.Pattern;

/**
 * An image reference parsed as Docker parses it: [registry/]path[:tag][@digest].
 * One-word names live in docker.io/library; the tag defaults to "latest".
 */
public record Reference(String registry, String repository, String tag, Digest digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern REGISTRY = Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?");

    public static Reference parse(String text) {
        if (text == null || text.isEmpty()) throw invalid(text, "it is empty");
        if (text.length() > 255) throw invalid(text, "it is longer than 255 characters");
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(rest.substring(at + 1));
            } catch (IllegalArgumentException e) {
                throw invalid(text, "the part after @ must be a digest like sha256:<64 hex digits>");
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) throw invalid(text, "the tag \"" + tag + "\" may only use letters, digits, _ . - (at most 128, not starting with . or -)");
        }
        String registry = DOCKER_HUB;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[")) {
                if (!REGISTRY.matcher(first).matches()) throw invalid(text, "\"" + first + "\" is not a valid registry host[:port]");
                registry = first;
                path = rest.substring(slash + 1);
            }
        }
        if (path.isEmpty()) throw invalid(text, "it has no repository name");
        for (String component : path.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw invalid(text, "repository names use lowercase letters, digits and separators (. _ __ -) between path parts /"
                        + (component.chars().anyMatch(Character::isUpperCase) ? "; it must be lowercase" : ""));
            }
        }
        if (registry.equals(DOCKER_HUB) && !path.contains("/")) path = "library/" + path;
        if (registry.equals("index.docker.io")) registry = DOCKER_HUB;
        if (tag == null && digest == null) tag = "latest";
        return new Reference(registry, path, tag, digest);
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("invalid reference format \"" + text + "\": " + why);
    }

    /** docker.io/library/busybox:latest */
    public String canonical() {
        return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** The short name docker shows in REPOSITORY: busybox, not docker.io/library/busybox. */
    public String familiarRepository() {
        if (!registry.equals(DOCKER_HUB)) return registry + "/" + repository;
        return repository.startsWith("library/") ? repository.substring(8) : repository;
    }

    /** busybox:latest */
    public String familiar() {
        return familiarRepository() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** A one-word Docker Hub official image name, like "busybox": the names bundled images answer. */
    public boolean isOfficialShortName() {
        return registry.equals(DOCKER_HUB) && repository.startsWith("library/") && repository.indexOf('/', 8) < 0;
    }

    @Override
    public String toString() { return canonical(); }
}
