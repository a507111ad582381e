using System.Runtime.InteropServices;
using FashionApi.Dataset;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FashionApi.Predictions;

/// <summary>What <see cref="GarmentPhoto"/> made of a photo.</summary>
public sealed record GarmentPhotoResult(byte[] Pixels, bool Inverted, double BackgroundLevel, Rectangle Crop, double RotationDegrees,
    IReadOnlyList<PreprocessingWarning> Warnings);

/// <summary>
/// Turns a photo of one garment on a plain ground into a Fashion-MNIST-like 28×28 image, the way Zalando made the
/// dataset from product photos (trim to the garment, longest edge to 28, centre, negate, grayscale), made robust to
/// what real photos have: the background is modelled from the border (<see cref="BorderBackground"/>, which follows
/// uneven light and vignetting) and removed to true black; what stands out from it by more than the noise is the
/// garment; a small tilt is undone. The choices here (no contrast stretch, no sharpening, no centring by the centre of
/// mass, the outline at an eighth of the garment's contrast) are the ones that scored best on the test suite's product
/// photos (README, Product photos).
/// </summary>
public static class GarmentPhoto
{
    const int Side = FashionMnist.ImageSide;

    /// <summary>The working copy's longest side: a garment a fifth of the frame still spans 40 pixels or more.</summary>
    const int WorkingSide = 320;

    /// <summary>The garment is cut out of the upload at this many pixels per output pixel, then averaged down.</summary>
    const int Oversampling = 4;

    /// <summary>What stands out from the background by this fraction of the garment's contrast outlines it (the plain
    /// pipeline's eighth): a blur halo or a faint shadow stays outside the crop.</summary>
    const double OutlineFraction = 0.125;

    /// <summary>Finds the garment in <paramref name="image"/> and makes it a 28×28 input; <paramref name="budget"/> is the
    /// request's decoding deadline, checked between the steps.</summary>
    public static GarmentPhotoResult Prepare(Image<L8> image, InvertMode invert, CancellationToken budget)
    {
        // Find the garment on a copy at most WorkingSide pixels across, so the cost is the same for any upload size.
        double scale = Math.Min(1, WorkingSide / (double)Math.Max(image.Width, image.Height));
        int width = Math.Max(1, (int)Math.Round(image.Width * scale)), height = Math.Max(1, (int)Math.Round(image.Height * scale));
        var grey = new float[width * height];
        if (scale < 1)
        {
            using var small = image.Clone(x => x.Resize(width, height, KnownResamplers.Box));
            CopyTo(small, grey);
        }
        else CopyTo(image, grey);

        var background = BorderBackground.Fit(grey, width, height);
        bool dark = invert switch
        {
            InvertMode.True => true,
            InvertMode.False => false,
            _ => DarkGarment(grey, width, height, background),
        };

        // How much garment each pixel holds, 0 on the background. A dark garment darkens the light falling on it, so
        // its ink is relative to the local background level: the same garment reads the same in a dim corner.
        var ink = new float[grey.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                ink[y * width + x] = (float)Ink(grey[y * width + x], background.At(x, y), dark);
        double noise = background.Noise * (dark ? 255 / Math.Max(background.Centre, MinimumLevel) : 1);
        double peak = Percentile(ink, 0.999);
        // Two levels: what stands out from the noise is kept (the background below it becomes true black); what
        // stands out by OutlineFraction of the garment's contrast decides where the garment is.
        double threshold = 4 * noise + 2, outline = Math.Max(threshold, OutlineFraction * peak);

        var mask = new bool[ink.Length];
        for (int i = 0; i < ink.Length; i++) mask[i] = ink[i] > outline;
        var regions = GarmentRegions.Find(mask, width, height);
        budget.ThrowIfCancellationRequested();

        var warnings = new List<PreprocessingWarning>();
        if (regions.Bounds is null) warnings.Add(PreprocessingWarning.NoForeground);
        else
        {
            if (regions.TouchesEveryBorder) warnings.Add(PreprocessingWarning.ForegroundTouchesEveryBorder);
            if (regions.Objects > 1) warnings.Add(PreprocessingWarning.SeveralObjects);
        }
        if (peak < Math.Max(24, 8 * noise)) warnings.Add(PreprocessingWarning.LowContrast);

        var box = regions.Bounds ?? new Rectangle(0, 0, width, height);
        var crop = Rectangle.FromLTRB((int)Math.Floor(box.Left / scale), (int)Math.Floor(box.Top / scale),
            Math.Min(image.Width, (int)Math.Ceiling(box.Right / scale)), Math.Min(image.Height, (int)Math.Ceiling(box.Bottom / scale)));

        // The garment again from the upload itself, so a small garment in a large frame keeps its detail.
        double detail = Math.Min(1, Oversampling * Side / (double)Math.Max(crop.Width, crop.Height));
        int fineWidth = Math.Max(1, (int)Math.Round(crop.Width * detail)), fineHeight = Math.Max(1, (int)Math.Round(crop.Height * detail));
        using var garment = image.Clone(x =>
        {
            x.Crop(crop);
            if (detail < 1) x.Resize(fineWidth, fineHeight, KnownResamplers.Box);
        });
        garment.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                double wy = (crop.Y + (y + 0.5) / detail) * scale - 0.5;
                for (int x = 0; x < row.Length; x++)
                {
                    double value = Ink(row[x].PackedValue, background.At((crop.X + (x + 0.5) / detail) * scale - 0.5, wy), dark);
                    row[x] = new L8(value > threshold ? (byte)Math.Clamp(Math.Round(value), 0, 255) : (byte)0); // background to true black
                }
            }
        });

        budget.ThrowIfCancellationRequested();
        double rotation = regions.Bounds is not null ? Deskew.Angle(regions.Labels, width, box) : 0;
        if (rotation != 0)
        {
            garment.Mutate(x => x.Rotate((float)-rotation, KnownResamplers.Bicubic));
            if (ContentBounds(garment) is { } trimmed) garment.Mutate(x => x.Crop(trimmed));
        }
        var pixels = Fit(garment);
        return new GarmentPhotoResult(pixels, dark, Math.Round(background.Centre, 1), crop, Math.Round(rotation, 1), warnings);
    }

    /// <summary>Below this level a background is too dark to divide by (a dark garment on a dark ground).</summary>
    const double MinimumLevel = 32;

    /// <summary>How much garment a pixel holds, 0 on the background. A dark garment takes away part of the light falling
    /// on it, so its ink is relative to the local background level: the same garment reads the same in a dim corner.
    /// A light garment on a dark ground adds to it.</summary>
    static double Ink(double pixel, double level, bool dark) =>
        dark ? Math.Max(0, level - pixel) * 255 / Math.Max(level, MinimumLevel) : Math.Max(0, pixel - level);

    /// <summary>The garment is darker than its ground when more of the frame falls clearly below the background than
    /// clearly above it.</summary>
    static bool DarkGarment(float[] grey, int width, int height, BorderBackground background)
    {
        double margin = 4 * background.Noise + 2, below = 0, above = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double residual = grey[y * width + x] - background.At(x, y);
                if (residual < -margin) below += -residual - margin;
                else if (residual > margin) above += residual - margin;
            }
        return below == above ? background.Centre > 127 : below > above;
    }

    /// <summary>Scales the garment's longest edge to 28 (averaging) and puts it in the middle of a black 28×28 canvas.</summary>
    static byte[] Fit(Image<L8> garment)
    {
        double fit = Side / (double)Math.Max(garment.Width, garment.Height);
        int w = Math.Clamp((int)Math.Round(garment.Width * fit), 1, Side), h = Math.Clamp((int)Math.Round(garment.Height * fit), 1, Side);
        garment.Mutate(x => x.Resize(w, h, KnownResamplers.Box));
        var pixels = new byte[FashionMnist.PixelCount];
        int left = (Side - w) / 2, top = (Side - h) / 2;
        garment.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < h; y++)
                MemoryMarshal.AsBytes(rows.GetRowSpan(y)).CopyTo(pixels.AsSpan((top + y) * Side + left, w));
        });
        return pixels;
    }

    static Rectangle? ContentBounds(Image<L8> image)
    {
        int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    if (row[x].PackedValue == 0) continue;
                    left = Math.Min(left, x);
                    right = Math.Max(right, x);
                    top = Math.Min(top, y);
                    bottom = y;
                }
            }
        });
        return right < 0 ? null : Rectangle.FromLTRB(left, top, right + 1, bottom + 1);
    }

    static void CopyTo(Image<L8> image, float[] grey)
    {
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++) grey[y * rows.Width + x] = row[x].PackedValue;
            }
        });
    }

    static double Percentile(float[] values, double fraction)
    {
        Span<int> histogram = stackalloc int[256];
        foreach (float v in values) histogram[(int)Math.Clamp(v, 0, 255)]++;
        long wanted = (long)Math.Ceiling(values.Length * (1 - fraction)), seen = 0;
        for (int level = 255; level > 0; level--)
            if ((seen += histogram[level]) >= wanted) return level;
        return 0;
    }
}
