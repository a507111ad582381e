using FashionApi.Dataset;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FashionApi.Predictions;

/// <summary>What <see cref="GarmentPhoto"/> made of a photo.</summary>
public sealed record GarmentPhotoResult(byte[] Pixels, bool Inverted, double BackgroundLevel, Rectangle Crop, double RotationDegrees,
    IReadOnlyList<PreprocessingWarning> Warnings);

public static class PhotoTuning
{
    static string? Env(string name) => Environment.GetEnvironmentVariable("PHOTO_" + name);
    public static bool Deskew = Env("DESKEW") != "0";
    public static bool CentreOfMass = Env("COM") == "1";
    public static bool Divide = Env("DIVIDE") != "0";
    public static bool Soft = Env("SOFT") == "1";
    public static double Sharpen = double.Parse(Env("SHARPEN") ?? "0");
    public static string Resampler = Env("RESAMPLER") ?? "box";
    public static int WorkingSide = int.Parse(Env("WORK") ?? "320");
    public static double PeakFraction = double.Parse(Env("PEAKFRAC") ?? "0.125");
    public static bool Stretch = Env("STRETCH") == "1";
    public static double PeakQuantile = double.Parse(Env("PEAKQ") ?? "0.99");
}

/// <summary>
/// Turns a photo of one garment on a plain ground into a Fashion-MNIST-like 28×28 image, the way Zalando made the
/// dataset from product photos (trim to the garment, longest edge to 28, centre, negate, grayscale), made robust to
/// what real photos have: the background is modelled from the border (<see cref="BorderBackground"/>, which follows
/// uneven light and vignetting) and removed to true black; what stands out from it by more than the noise is the
/// garment; its contrast is stretched to the dataset's full range; a small tilt is undone.
/// </summary>
public static class GarmentPhoto
{
    const int Side = FashionMnist.ImageSide;

    public static GarmentPhotoResult Prepare(Image<L8> image, InvertMode invert)
    {
        // Work on a copy at most WorkingSide pixels across: enough for a garment a fifth of the frame to keep more
        // detail than 28×28 needs, and the cost stays the same for any upload size.
        double scale = Math.Min(1, PhotoTuning.WorkingSide / (double)Math.Max(image.Width, image.Height));
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
            {
                int i = y * width + x;
                double level = background.At(x, y), residual = grey[i] - level;
                ink[i] = (float)(dark
                    ? Math.Max(0, -residual) * (PhotoTuning.Divide ? 255 / Math.Max(level, 32) : 1)
                    : Math.Max(0, residual));
            }
        double noise = background.Noise * (dark && PhotoTuning.Divide ? 255 / Math.Max(background.Centre, 32) : 1);
        double peak = Percentile(ink, 0.999);
        // Two levels: what stands out from the noise is kept (background below it becomes true black); what stands out
        // by an eighth of the garment's contrast decides where the garment is, so a faint blur halo or JPEG ringing
        // around it does not widen the crop.
        double threshold = 4 * noise + 2, outline = Math.Max(threshold, PhotoTuning.PeakFraction * peak);

        var mask = new bool[ink.Length];
        for (int i = 0; i < ink.Length; i++) mask[i] = ink[i] > outline;
        var regions = GarmentRegions.Find(mask, width, height);

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

        // The garment again from the upload itself, at 4 pixels per output pixel: a small garment in a large frame
        // keeps its detail, whatever the working copy's resolution.
        double detail = Math.Min(1, 4 * Side / (double)Math.Max(crop.Width, crop.Height));
        int fineWidth = Math.Max(1, (int)Math.Round(crop.Width * detail)), fineHeight = Math.Max(1, (int)Math.Round(crop.Height * detail));
        using var garment = image.Clone(x =>
        {
            x.Crop(crop);
            if (detail < 1) x.Resize(fineWidth, fineHeight, KnownResamplers.Box);
        });
        double toWorking = scale / detail;
        garment.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                double wy = (crop.Y + (y + 0.5) / detail) * scale - 0.5;
                for (int x = 0; x < row.Length; x++)
                {
                    double level = background.At((crop.X + (x + 0.5) / detail) * scale - 0.5, wy), residual = row[x].PackedValue - level;
                    double value = dark ? Math.Max(0, -residual) * (PhotoTuning.Divide ? 255 / Math.Max(level, 32) : 1) : Math.Max(0, residual);
                    // Background to true black, as in the dataset.
                    row[x] = new L8(value > threshold ? (byte)Math.Clamp(Math.Round(value), 0, 255) : (byte)0);
                }
            }
        });

        double rotation = PhotoTuning.Deskew && regions.Bounds is not null ? Deskew.Angle(regions.Labels, width, box) : 0;
        if (rotation != 0)
        {
            garment.Mutate(x => x.Rotate((float)-rotation, KnownResamplers.Bicubic));
            if (ContentBounds(garment) is { } trimmed) garment.Mutate(x => x.Crop(trimmed));
        }
        var pixels = Fit(garment);
        return new GarmentPhotoResult(pixels, dark, Math.Round(background.Centre, 1), crop, Math.Round(rotation, 1), warnings);
    }

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

    /// <summary>Scales the garment's longest edge to 28 and puts it in the middle of a black 28×28 canvas.</summary>
    static byte[] Fit(Image<L8> garment)
    {
        var resampler = PhotoTuning.Resampler switch
        {
            "bicubic" => KnownResamplers.Bicubic,
            "triangle" => KnownResamplers.Triangle,
            "lanczos" => KnownResamplers.Lanczos3,
            _ => KnownResamplers.Box,
        };
        double fit = Side / (double)Math.Max(garment.Width, garment.Height);
        int w = Math.Clamp((int)Math.Round(garment.Width * fit), 1, Side), h = Math.Clamp((int)Math.Round(garment.Height * fit), 1, Side);
        garment.Mutate(x => x.Resize(w, h, resampler));
        if (PhotoTuning.Sharpen > 0) garment.Mutate(x => x.GaussianSharpen((float)PhotoTuning.Sharpen));
        int left = (Side - w) / 2, top = (Side - h) / 2;
        var small = new byte[w * h];
        garment.CopyPixelDataTo(small);
        if (PhotoTuning.CentreOfMass)
        {
            double sum = 0, sx = 0, sy = 0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    sum += small[y * w + x];
                    sx += small[y * w + x] * x;
                    sy += small[y * w + x] * y;
                }
            if (sum > 0)
            {
                left = Math.Clamp((int)Math.Round((Side - 1) / 2.0 - sx / sum), 0, Side - w);
                top = Math.Clamp((int)Math.Round((Side - 1) / 2.0 - sy / sum), 0, Side - h);
            }
        }
        var pixels = new byte[FashionMnist.PixelCount];
        for (int y = 0; y < h; y++)
            small.AsSpan(y * w, w).CopyTo(pixels.AsSpan((top + y) * Side + left));
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
