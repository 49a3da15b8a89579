package jbox.cli;

import jbox.api.Filters;
import jbox.client.ApiClient;

import java.util.List;

/** What the prune commands share: --filter flags as the API's filters query, and docker's report of what went. */
final class Prunes {
    private Prunes() {}

    static String query(List<String> filters) {
        return filters.isEmpty() ? "" : "?filters=" + ApiClient.seg(Filters.toQuery(filters));
    }

    /** "Deleted Containers:" and the ids, then a blank line; nothing when nothing went. */
    static void list(java.io.PrintWriter out, String heading, com.fasterxml.jackson.databind.JsonNode items) {
        if (items.isEmpty()) return;
        out.println(heading);
        for (com.fasterxml.jackson.databind.JsonNode x : items) out.println(x.asText());
        out.println();
    }

    /** An image prune's "untagged: NAME" and "deleted: ID" lines, as docker prints them. */
    static void images(java.io.PrintWriter out, com.fasterxml.jackson.databind.JsonNode deleted) {
        if (deleted.isEmpty()) return;
        out.println("Deleted Images:");
        for (com.fasterxml.jackson.databind.JsonNode d : deleted) d.fields().forEachRemaining(e -> out.println(e.getKey().toLowerCase() + ": " + e.getValue().asText()));
        out.println();
    }
}
