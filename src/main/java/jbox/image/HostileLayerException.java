package jbox.image;

/** A layer entry that tries to reach outside the layer's directory. Nothing outside was touched. */
public final class HostileLayerException extends java.io.IOException {
    private final String entry, why;

    public HostileLayerException(String entry, String why) {
        super("refusing layer entry \"" + entry + "\": " + why
                + ". The image is broken or malicious; jbox unpacked nothing from it.");
        this.entry = entry;
        this.why = why;
    }

    /** The archive's entry that was refused. */
    public String entry() { return entry; }

    /** Why it was refused, as a clause: "it would be written through the symbolic link \"x\"". */
    public String why() { return why; }
}
