package jbox.builder;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One `jbox build`: its private working directory, the context (already unpacked, .dockerignore applied by the client as docker's
 * does), the Dockerfile's path inside it, the names to tag, --build-arg values (a null value means
 * "declared but unset"), and whether to skip the cache.
 */
public record BuildRequest(Path work, Path context, String dockerfile, List<String> tags, Map<String, String> buildArgs, boolean noCache,
                           Map<String, String> labels) {}
