package jbox.api;

import jbox.sys.Failure;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Errors as the Docker API sends them: a status code and {"message": ...}. jbox adds the likely
 * cause and the fix as extra fields, which the docker CLI ignores and jbox's CLI prints.
 */
public final class ApiErrors {
    private ApiErrors() {}

    public static Failure badRequest(String what) {
        return new Failure(what, "the request is not what the API expects", "check the request against the Docker Engine API").httpStatus(400);
    }

    public static Failure notFound(String what, String cause, String fix) {
        return new Failure(what, cause, fix).httpStatus(404);
    }

    /** The status and body for any failure a handler throws. */
    public static Map<String, Object> body(Failure e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message", e.getMessage());
        if (e.likelyCause() != null) m.put("jboxCause", e.likelyCause());
        if (e.fix() != null) m.put("jboxFix", e.fix());
        m.put("jboxExitCode", e.exitCode());
        return m;
    }


    /** What jbox's CLI prints for an error the daemon sent. */
    public static Failure fromBody(int status, Map<?, ?> body) {
        Object code = body.get("jboxExitCode");
        return new Failure(code instanceof Number n ? n.intValue() : 125, String.valueOf(body.get("message")),
                (String) body.get("jboxCause"), (String) body.get("jboxFix"), null).httpStatus(status);
    }
}
