import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A floor under jbox's cold commands: started with the launcher's own JVM flags and class-data archive, it
 * loads the classes listed in its argument (those a cold jbox command loaded) without initialising them, and
 * does nothing else: less than the command itself must do before its own work. With an empty list it is the
 * JVM's own start and exit.
 */
public class LoadClasses {
    public static void main(String[] args) throws Exception {
        ClassLoader loader = ClassLoader.getSystemClassLoader();
        int loaded = 0;
        for (String name : Files.readAllLines(Path.of(args[0]))) {
            try {
                Class.forName(name, false, loader);
                loaded++;
            } catch (ClassNotFoundException | LinkageError e) {
                // made at run time (a proxy, a generated accessor) under a name no loader finds: not counted
            }
        }
        System.out.println(loaded);
    }
}
