using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FashionApi.Tests.Predictions;

/// <summary>
/// The plain ten-line pipeline issue 18 compares the service with: grayscale, invert by the border's median, subtract
/// the background level, threshold relative to it, trim, fit 28×28 keeping the aspect ratio, centred. The service must
/// never do worse than this on any kind of photo.
/// </summary>
public static class PlainPipeline
{
    public static byte[] Prepare(byte[] encoded)
    {
        using var image = Image.Load<L8>(encoded);
        var pixels = new byte[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        int w = image.Width, h = image.Height;
        var border = Enumerable.Range(0, w).SelectMany(x => new[] { pixels[x], pixels[(h - 1) * w + x] })
            .Concat(Enumerable.Range(0, h).SelectMany(y => new[] { pixels[y * w], pixels[y * w + w - 1] })).Order().ToList();
        int median = border[border.Count / 2];
        bool invert = median > 127;
        int level = invert ? 255 - median : median;
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)Math.Max(0, (invert ? 255 - pixels[i] : pixels[i]) - level);
        int threshold = Math.Max(1, (255 - level) / 8);
        int left = w, top = h, right = -1, bottom = -1;
        for (int i = 0; i < pixels.Length; i++)
            if (pixels[i] >= threshold)
                (left, right, top, bottom) = (Math.Min(left, i % w), Math.Max(right, i % w), Math.Min(top, i / w), i / w);
        using var ink = Image.LoadPixelData<L8>(pixels, w, h);
        if (right >= 0) ink.Mutate(x => x.Crop(new Rectangle(left, top, right - left + 1, bottom - top + 1)));
        ink.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(28, 28), Mode = ResizeMode.Pad, PadColor = Color.Black }));
        var result = new byte[28 * 28];
        ink.CopyPixelDataTo(result);
        return result;
    }
}
