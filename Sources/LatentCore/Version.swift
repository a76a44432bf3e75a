/// The library's version.
public enum LatentVersion {
    public static let string = "0.1.0"
}
