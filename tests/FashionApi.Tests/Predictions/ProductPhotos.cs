using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FashionApi.Tests.Predictions;

/// <summary>The kinds of product photo a shopper sends, each made by <see cref="ProductPhotos"/>.</summary>
public enum PhotoKind
{
    WhitePng,
    WhiteJpeg,
    OffWhiteUnevenLight,
    Beige,
    LightBlue,
    SoftShadow,
    Vignetting,
    JpegQuality60To95,
    Noise,
    AnyPositionAndSize,
    Portrait,
    Landscape,
    Blur,
    LightOnDark,
    Tilt,
}

/// <summary>
/// Makes product photos from Fashion-MNIST test images, deterministically (the photo of image i of a kind depends
/// only on the kind and i). A dataset image is the negative of a photo of a garment on white (Zalando's README), so
/// its pixel value is how much of the garment covers that point: the photo is the background where it is 0 and the
/// garment's colour where it is 255, scaled up 4–8×, placed in a larger frame, lit, shaded, blurred, tilted and
/// encoded with ImageSharp's own processors and encoders, as a phone and a photo editor would.
/// </summary>
public static class ProductPhotos
{
    const int Seed = 18_2026;

    /// <summary>Garment colours for a dark garment on a light ground (RGB 0–1): black, navy, brown, dark red, dark green, charcoal.</summary>
    static readonly float[][] DarkGarments =
    [
        [0.05f, 0.05f, 0.06f], [0.10f, 0.13f, 0.32f], [0.30f, 0.18f, 0.10f], [0.45f, 0.08f, 0.10f], [0.10f, 0.28f, 0.15f], [0.22f, 0.22f, 0.24f],
    ];

    /// <summary>Where the garment is in a photo: its box (the scaled, maybe tilted, dataset image) and its tilt in
    /// degrees, clockwise positive.</summary>
    public sealed record Placement(Rectangle Box, float TiltDegrees);

    /// <summary>Encodes the photo of <paramref name="garment"/> (784 dataset pixels) as the kind says, PNG or JPEG.</summary>
    public static byte[] Make(PhotoKind kind, int index, ReadOnlySpan<byte> garment)
    {
        using var photo = Render(kind, index, garment, out int? jpegQuality, out _);
        using var stream = new MemoryStream();
        if (jpegQuality is { } quality)
            photo.SaveAsJpeg(stream, new JpegEncoder { Quality = quality, ColorType = JpegColorType.YCbCrRatio420 });
        else
            photo.SaveAsPng(stream, new PngEncoder { ColorType = PngColorType.Rgb });
        return stream.ToArray();
    }

    /// <summary>The photo before encoding, for looking at.</summary>
    public static Image<Rgb24> Render(PhotoKind kind, int index, ReadOnlySpan<byte> garment, out int? jpegQuality, out Placement placement)
    {
        var random = new Random(Seed + 100_003 * (int)kind + index);
        float Uniform(float low, float high) => low + (high - low) * (float)random.NextDouble();

        // The frame and the garment's size in it: its longest side is a fraction of the frame's shorter side.
        float scale = Uniform(4, 8);
        float fraction = kind == PhotoKind.AnyPositionAndSize ? Uniform(0.2f, 0.9f) : Uniform(0.45f, 0.8f);
        float aspect = kind switch
        {
            PhotoKind.Portrait => Uniform(1.5f, 1.8f),
            PhotoKind.Landscape => 1 / Uniform(1.5f, 1.8f),
            _ => random.Next(2) == 0 ? 4f / 3 : 3f / 4, // height / width
        };
        using var ink = Image.LoadPixelData<L8>(garment, 28, 28);
        int side = (int)MathF.Round(28 * scale);
        ink.Mutate(x => x.Resize(side, side, KnownResamplers.Bicubic));
        float tilt = kind == PhotoKind.Tilt ? Uniform(-10, 10) : 0;
        if (tilt != 0) ink.Mutate(x => x.Rotate(tilt, KnownResamplers.Bicubic)); // the canvas grows, filled with 0 (no garment)
        int shortSide = (int)MathF.Round(side / fraction);
        int width = aspect >= 1 ? shortSide : (int)MathF.Round(shortSide / aspect);
        int height = aspect >= 1 ? (int)MathF.Round(shortSide * aspect) : shortSide;
        width = Math.Max(width, ink.Width + 2);
        height = Math.Max(height, ink.Height + 2);
        bool anywhere = kind is PhotoKind.AnyPositionAndSize or PhotoKind.LightOnDark;
        float slackX = width - ink.Width, slackY = height - ink.Height;
        int left = (int)(anywhere ? Uniform(0, slackX) : slackX / 2 + Uniform(-0.25f, 0.25f) * slackX);
        int top = (int)(anywhere ? Uniform(0, slackY) : slackY / 2 + Uniform(-0.25f, 0.25f) * slackY);

        placement = new Placement(new Rectangle(left, top, ink.Width, ink.Height), tilt);

        // Colours and light.
        float[] background = kind switch
        {
            PhotoKind.OffWhiteUnevenLight => [Uniform(0.90f, 0.95f), Uniform(0.89f, 0.93f), Uniform(0.85f, 0.90f)],
            PhotoKind.Beige => [Uniform(0.93f, 0.97f), Uniform(0.86f, 0.90f), Uniform(0.74f, 0.80f)],
            PhotoKind.LightBlue => [Uniform(0.72f, 0.80f), Uniform(0.84f, 0.90f), Uniform(0.95f, 1.0f)],
            PhotoKind.LightOnDark => [Uniform(0.06f, 0.18f), Uniform(0.06f, 0.18f), Uniform(0.08f, 0.20f)],
            PhotoKind.WhitePng or PhotoKind.WhiteJpeg or PhotoKind.Tilt => [1, 1, 1],
            _ => [Uniform(0.94f, 1f), Uniform(0.94f, 1f), Uniform(0.94f, 1f)],
        };
        float[] colour = kind == PhotoKind.LightOnDark
            ? [Uniform(0.85f, 1f), Uniform(0.85f, 1f), Uniform(0.85f, 1f)]
            : DarkGarments[random.Next(DarkGarments.Length)];
        // Uneven light: a linear fall-off of about 25 levels (of 255) across the frame in a random direction.
        float lightFall = kind == PhotoKind.OffWhiteUnevenLight ? Uniform(22, 28) / 255f : 0;
        float direction = Uniform(0, 2 * MathF.PI);
        float noise = kind switch
        {
            PhotoKind.OffWhiteUnevenLight => 3,
            PhotoKind.Noise => Uniform(6, 10),
            PhotoKind.Blur or PhotoKind.SoftShadow or PhotoKind.Vignetting or PhotoKind.Beige or PhotoKind.LightBlue => 2,
            _ => 0,
        };

        // A soft shadow: the garment's silhouette, blurred and offset down and to one side.
        float[]? shadow = null;
        int shadowDx = 0, shadowDy = 0;
        if (kind == PhotoKind.SoftShadow)
        {
            using var blurred = ink.Clone(x => x.GaussianBlur(side * Uniform(0.03f, 0.06f)));
            shadow = new float[blurred.Width * blurred.Height];
            blurred.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height; y++)
                {
                    var row = rows.GetRowSpan(y);
                    for (int x = 0; x < row.Length; x++) shadow[y * rows.Width + x] = MathF.Min(1, row[x].PackedValue / 128f);
                }
            });
            shadowDx = (int)(side * Uniform(-0.06f, 0.06f));
            shadowDy = (int)(side * Uniform(0.02f, 0.06f));
        }
        float shadowDepth = Uniform(0.2f, 0.35f);

        var coverage = new byte[ink.Width * ink.Height];
        ink.CopyPixelDataTo(coverage);
        int inkWidth = ink.Width, inkHeight = ink.Height;
        var photo = new Image<Rgb24>(width, height);
        float dx = MathF.Cos(direction), dy = MathF.Sin(direction), diagonal = MathF.Sqrt(width * width + height * height);
        var gaussian = new GaussianNoise(random);
        photo.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < width; x++)
                {
                    float light = 1 - lightFall * (0.5f + ((x - width / 2f) * dx + (y - height / 2f) * dy) / diagonal);
                    int gx = x - left, gy = y - top;
                    float cover = gx >= 0 && gy >= 0 && gx < inkWidth && gy < inkHeight ? coverage[gy * inkWidth + gx] / 255f : 0;
                    if (shadow is not null)
                    {
                        int sx = gx - shadowDx, sy = gy - shadowDy;
                        if (sx >= 0 && sy >= 0 && sx < inkWidth && sy < inkHeight) light *= 1 - shadowDepth * shadow[sy * inkWidth + sx];
                    }
                    float grain = noise == 0 ? 0 : noise * gaussian.Next();
                    row[x] = new Rgb24(Channel(0), Channel(1), Channel(2));

                    byte Channel(int c) => (byte)Math.Clamp(MathF.Round(255 * light * (background[c] * (1 - cover) + colour[c] * cover) + grain), 0, 255);
                }
            }
        });

        if (kind == PhotoKind.Vignetting)
        {
            // ImageSharp's vignette, at the strength of a phone lens: corners 25–45 % darker than the middle.
            var options = new GraphicsOptions { BlendPercentage = Uniform(0.25f, 0.45f) };
            photo.Mutate(x => x.Vignette(options, Color.Black, width * Uniform(0.6f, 0.8f), height * Uniform(0.6f, 0.8f), new Rectangle(0, 0, width, height)));
        }
        if (kind == PhotoKind.Blur)
            photo.Mutate(x => x.GaussianBlur(scale * Uniform(0.25f, 0.45f)));

        jpegQuality = kind switch
        {
            PhotoKind.WhitePng => null,
            PhotoKind.JpegQuality60To95 => random.Next(60, 96),
            _ => random.Next(70, 91),
        };
        return photo;
    }

    /// <summary>Standard normal numbers by the Box–Muller transform, both of each pair used.</summary>
    sealed class GaussianNoise(Random random)
    {
        float? spare;

        public float Next()
        {
            if (spare is { } kept)
            {
                spare = null;
                return kept;
            }
            float radius = MathF.Sqrt(-2 * MathF.Log(1 - (float)random.NextDouble())), angle = 2 * MathF.PI * (float)random.NextDouble();
            spare = radius * MathF.Sin(angle);
            return radius * MathF.Cos(angle);
        }
    }
}
