package jbox.cli;

import jbox.client.ApiClient;
import jbox.sys.Failure;
import jbox.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** docker inspect: low-level JSON for containers (looked up first) and images. */
@Command(name = "inspect", description = "Return low-level information on containers, images, networks and volumes")
final class InspectCommand implements Callable<Integer> {
    private static final Pattern FIELD = Pattern.compile("\\{\\{\\s*(json\\s+)?\\.([A-Za-z0-9_.]*)\\s*}}");

    @Spec CommandSpec spec;
    @Option(names = {"-f", "--format"}, description = "Format the output with a template like {{.State.Pid}} or {{json .Config}}") String format;
    @Option(names = "--type", description = "Only look for a container, image, network or volume") String type;

    /** What inspect looks for, in docker's order, and where the API has each. */
    private static final Map<String, java.util.function.Function<String, String>> KINDS = new java.util.LinkedHashMap<>();
    static {
        KINDS.put("container", n -> "/containers/" + ApiClient.seg(n) + "/json");
        KINDS.put("image", n -> "/images/" + ApiClient.imageSeg(n) + "/json");
        KINDS.put("network", n -> "/networks/" + ApiClient.seg(n));
        KINDS.put("volume", n -> "/volumes/" + ApiClient.seg(n));
    }
    @Parameters(paramLabel = "NAME|ID", arity = "1..*") List<String> names;

    @Override
    public Integer call() {
        ApiClient api = Api.client();
        List<Object> found = new ArrayList<>();
        for (String n : names) found.add(lookup(api, n));
        var out = spec.commandLine().getOut();
        if (format == null) {
            out.println(Json.pretty(found));
        } else {
            for (Object o : found) out.println(render(format, o));
        }
        return 0;
    }

    private Object lookup(ApiClient api, String name) {
        if (type != null && !KINDS.containsKey(type)) {
            throw new Failure("\"" + type + "\" is not a valid value for --type", null, "use container, image, network or volume");
        }
        for (var kind : KINDS.entrySet()) {
            if (type != null && !type.equals(kind.getKey())) continue;
            try {
                return Json.MAPPER.convertValue(api.call("GET", kind.getValue().apply(name), null), Map.class);
            } catch (Failure e) {
                if (e.httpStatus() != 404) throw e;
            }
        }
        String what = type == null ? "container, image, network or volume" : type;
        throw new Failure(1, "No such object: " + name, "no " + what + " has that name or id", "list them with jbox ps -a, jbox images, jbox network ls, jbox volume ls",
                null).httpStatus(404); // docker inspect exits 1 for a name it does not find
    }

    /** The subset of Go templates people use with docker inspect: {{.A.B}} and {{json .A}}. */
    static String render(String template, Object root) {
        Matcher m = FIELD.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Object v = root;
            if (!m.group(2).isEmpty()) {
                for (String key : m.group(2).split("\\.")) {
                    if (!(v instanceof Map<?, ?> map) || !map.containsKey(key)) {
                        throw new Failure("template: no field \"" + m.group(2) + "\"", "the field does not exist in this object",
                                "look at jbox inspect NAME (without -f) for the field names");
                    }
                    v = map.get(key);
                }
            }
            String text = m.group(1) != null ? Json.bytes(v).length > 0 ? new String(Json.bytes(v)) : "null"
                    : v instanceof List<?> l ? "[" + String.join(" ", l.stream().map(String::valueOf).toList()) + "]"
                    : v instanceof Map<?, ?> ? "map" + v : String.valueOf(v);
            m.appendReplacement(sb, Matcher.quoteReplacement(text));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
