package jbox.shell;

import org.jline.reader.impl.DefaultParser;

/**
 * Command lines split as a POSIX shell splits them, in the one point where JLine's parser differs
 * and learners notice: inside single quotes a backslash is just a backslash, so that
 * {@code host sh -c 'printf "a\nb"'} hands sh the \n it was given.
 */
final class ShellParser extends DefaultParser {
    @Override
    public boolean isEscapeChar(CharSequence buffer, int pos) {
        return super.isEscapeChar(buffer, pos) && !insideSingleQuotes(buffer, pos);
    }

    private static boolean insideSingleQuotes(CharSequence buffer, int pos) {
        boolean single = false, dbl = false;
        for (int i = 0; i < pos; i++) {
            char c = buffer.charAt(i);
            if (c == '\\' && !single) {
                i++; // an escaped character, outside single quotes
            } else if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            }
        }
        return single;
    }
}
