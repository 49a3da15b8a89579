package jbox.image;

/** No image by that name or id in the store. */
public final class ImageNotFoundException extends RuntimeException {
    public ImageNotFoundException(String message) { super(message); }
}
