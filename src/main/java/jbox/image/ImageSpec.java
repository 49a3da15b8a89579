package jbox.image;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/** Wire shapes of the OCI image spec (and Docker schema 2, which has the same fields). */
public final class ImageSpec {
    private ImageSpec() {}

    public record Platform(String architecture, String os, String variant) {}

    public record Descriptor(String mediaType, String digest, long size, Map<String, String> annotations, Platform platform) {
        public Descriptor(String mediaType, Digest digest, long size) { this(mediaType, digest.toString(), size, null, null); }

        public Digest digestValue() { return Digest.parse(digest); }

        public Descriptor withAnnotations(Map<String, String> a) { return new Descriptor(mediaType, digest, size, a, platform); }
    }

    public record Index(int schemaVersion, String mediaType, List<Descriptor> manifests, Map<String, String> annotations) {}

    public record Manifest(int schemaVersion, String mediaType, Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {}

    /** The part of an image config a container starts from. Field names are capitalised in the spec. */
    public record ContainerConfig(
            @JsonProperty("User") String user,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
            @JsonProperty("StopSignal") String stopSignal,
            @JsonProperty("Volumes") Map<String, Object> volumes,
            @JsonProperty("Healthcheck") Healthcheck healthcheck) {}

    /** An image's HEALTHCHECK, as docker writes it (durations in nanoseconds; what is not set is left out). */
    public record Healthcheck(@JsonProperty("Test") List<String> test, @JsonProperty("Interval") Long interval,
                              @JsonProperty("Timeout") Long timeout, @JsonProperty("StartPeriod") Long startPeriod,
                              @JsonProperty("Retries") Integer retries) {}

    public record RootFs(String type, @JsonProperty("diff_ids") List<String> diffIds) {}

    public record History(String created, @JsonProperty("created_by") String createdBy, String comment,
                          @JsonProperty("empty_layer") Boolean emptyLayer) {}

    public record ImageConfig(String created, String author, String architecture, String os,
                              ContainerConfig config, RootFs rootfs, List<History> history) {}
}
