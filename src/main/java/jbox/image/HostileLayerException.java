package jbox.image;

/** A layer entry that tries to reach outside the layer's directory. Nothing outside was touched. */
public final class HostileLayerException extends java.io.IOException {
    public HostileLayerException(String entry, String why) {
        super("refusing layer entry \"" + entry + "\": " + why
                + ". The image is broken or malicious; jbox unpacked nothing from it.");
    }
}
