package jbox.builder;

import jbox.sys.Failure;

/**
 * A build that cannot go on: a Dockerfile error (file, line, instruction), a failed RUN, a missing
 * source. `jbox build` then exits 1, as `docker build` does.
 */
public final class BuildException extends Failure {
    public BuildException(String what, String cause, String fix) {
        super(1, what, cause, fix, null);
        httpStatus(400);
    }
}
