package jbox.engine;

import jbox.image.ImageSpec;
import jbox.runtime.Health;

import java.util.List;

/** What an image's config sets for its containers unless the user says otherwise (docker's merge rules). */
final class ImageDefaults {
    private ImageDefaults() {}

    /**
     * The container's health check: the user's flags field by field over the image's HEALTHCHECK, then
     * docker's defaults; null for none (no check anywhere, --no-healthcheck, or HEALTHCHECK NONE).
     */
    static Health health(Health user, ImageSpec.Healthcheck image) {
        List<String> test = user != null && !user.test().isEmpty() ? user.test() : image != null ? image.test() : null;
        if (test == null || test.isEmpty() || test.get(0).equals("NONE")) return null;
        Health merged = new Health(test,
                pick(user == null ? 0 : user.intervalNs(), image == null ? null : image.interval()),
                pick(user == null ? 0 : user.timeoutNs(), image == null ? null : image.timeout()),
                (int) pick(user == null ? 0 : user.retries(), image == null || image.retries() == null ? null : image.retries().longValue()),
                pick(user == null ? 0 : user.startPeriodNs(), image == null ? null : image.startPeriod()));
        return merged.withDefaults();
    }

    private static long pick(long user, Long image) { return user > 0 ? user : image != null ? image : 0; }
}
