using SixLabors.ImageSharp;

namespace FashionApi.Predictions;

/// <summary>Ways an upload may not look like one garment on a plain ground, so its prediction deserves less trust.</summary>
public enum PreprocessingWarning
{
    /// <summary>Nothing stands out from the background: the whole image is one level, or the garment matches it.</summary>
    NoForeground,

    /// <summary>What stands out reaches all four edges: probably a close-up, a busy scene or a patterned background,
    /// not a garment on a plain ground.</summary>
    ForegroundTouchesEveryBorder,

    /// <summary>The garment differs from the background by little more than the noise.</summary>
    LowContrast,

    /// <summary>Two or more separate objects of similar size; they were classified as one.</summary>
    SeveralObjects,
}

/// <summary>A rectangle in the uploaded image's pixels.</summary>
public sealed record PixelBox(int X, int Y, int Width, int Height)
{
    public static PixelBox From(Rectangle r) => new(r.X, r.Y, r.Width, r.Height);
}

/// <summary>What was done to an uploaded image to make it a 28×28 Fashion-MNIST-like input.</summary>
/// <param name="Format">The format the bytes were in, e.g. <c>jpeg</c>.</param>
/// <param name="OriginalWidth">The upload's width in pixels.</param>
/// <param name="OriginalHeight">The upload's height in pixels.</param>
/// <param name="ConvertedToGrayscale">The upload had colour, which was dropped.</param>
/// <param name="Resized">The upload was not 28×28 and went through the photo pipeline; false when it was used pixel for pixel.</param>
/// <param name="Inverted">The garment was darker than its background (a product photo on a light ground) and was negated.</param>
/// <param name="BackgroundLevel">The background level removed (0–255 grey, in the middle of the frame), estimated from the border.</param>
/// <param name="CropBox">The part of the upload that holds the garment, in its pixels, which was fitted into 28×28.</param>
/// <param name="RotationDegrees">How far the garment was tilted, in degrees clockwise, and turned back upright; 0 when it stood upright.</param>
/// <param name="Warnings">Why the prediction may be unreliable; empty when the upload looks like one garment on a plain ground.</param>
public sealed record PreprocessingReport(string Format, int OriginalWidth, int OriginalHeight, bool ConvertedToGrayscale, bool Resized,
    bool Inverted, double BackgroundLevel, PixelBox CropBox, double RotationDegrees, IReadOnlyList<PreprocessingWarning> Warnings);

/// <summary>A decoded image as the model sees it (784 bytes, light garment on black) and how it got there.</summary>
public sealed record PreparedImage(byte[] Pixels, PreprocessingReport Preprocessing);
