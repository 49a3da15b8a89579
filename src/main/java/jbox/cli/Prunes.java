package jbox.cli;

import jbox.api.Filters;
import jbox.client.ApiClient;

import java.util.List;

/** The prune commands' --filter flags as the API's filters query. */
final class Prunes {
    private Prunes() {}

    static String query(List<String> filters) {
        return filters.isEmpty() ? "" : "?filters=" + ApiClient.seg(Filters.toQuery(filters));
    }
}
