using System.Text.Json;
using FashionApi.Predictions;
using FashionApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Predictions;

/// <summary>The service for these tests: its decoding deadline is 30 s instead of 1 s, because they are about what
/// preprocessing says, and the photo tests' CPU load (or a shared machine) must not turn an answer into a 413.</summary>
public sealed class PhotoServiceFixture : IDisposable
{
    public FashionApiFactory Factory { get; } = new(seedModel: true, new() { ["FashionApi:MaxDecodingTime"] = "00:00:30" });

    public void Dispose() => Factory.Dispose();
}

/// <summary>What <c>preprocessing</c> says about a photo: the background removed, where the garment was, how far it
/// was turned, and warnings when the upload does not look like one garment on a plain ground.</summary>
public class PhotoPreprocessingTests(PhotoServiceFixture fixture) : IClassFixture<PhotoServiceFixture>
{
    readonly FashionApiFactory factory = fixture.Factory;

    static FashionApi.Dataset.FashionMnistSplit Test => TestData.FashionMnist.Test;

    static byte[] Jpeg(Image<Rgb24> image)
    {
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream, new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 85 });
        return stream.ToArray();
    }

    static string[] Warnings(JsonElement prediction) =>
        prediction.GetProperty("preprocessing").GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToArray();

    async Task<JsonElement> PredictAsync(byte[] jpeg) =>
        await (await (await factory.CreateReadyClientAsync()).PostAsync("/predict?include=input", ImageContent(jpeg, "image/jpeg"))).AssertOkJsonAsync();

    [Fact]
    public async Task An_off_white_unevenly_lit_photo_reports_the_background_removed_and_the_garment_box()
    {
        for (int index = 0; index < 5; index++)
        {
            using var photo = ProductPhotos.Render(PhotoKind.OffWhiteUnevenLight, index, Test.Image(index), out _, out var placement);
            var preprocessing = (await PredictAsync(Jpeg(photo))).GetProperty("preprocessing");

            Assert.True(preprocessing.GetProperty("resized").GetBoolean());
            Assert.True(preprocessing.GetProperty("inverted").GetBoolean());
            Assert.InRange(preprocessing.GetProperty("backgroundLevel").GetDouble(), 200, 245); // off-white, 25 levels of fall-off
            Assert.Equal(0, preprocessing.GetProperty("rotationDegrees").GetDouble());
            Assert.Empty(preprocessing.GetProperty("warnings").EnumerateArray());
            // The crop box is the garment's: inside the box the generator put the scaled dataset image in, and holding
            // all of its clearly visible part (dataset pixels of 128 and more).
            var box = preprocessing.GetProperty("cropBox");
            var crop = new Rectangle(box.GetProperty("x").GetInt32(), box.GetProperty("y").GetInt32(),
                box.GetProperty("width").GetInt32(), box.GetProperty("height").GetInt32());
            var outer = placement.Box;
            outer.Inflate(4, 4);
            Assert.True(outer.Contains(crop), $"crop {crop} is not inside the garment's box {placement.Box}");
            var strong = Enumerable.Range(0, 784).Where(i => Test.Image(index)[i] >= 128).ToList();
            double scale = placement.Box.Width / 28.0;
            var visible = Rectangle.FromLTRB(placement.Box.X + (int)Math.Ceiling(strong.Min(i => i % 28) * scale),
                placement.Box.Y + (int)Math.Ceiling(strong.Min(i => i / 28) * scale),
                placement.Box.X + (int)((strong.Max(i => i % 28) + 1) * scale), placement.Box.Y + (int)((strong.Max(i => i / 28) + 1) * scale));
            visible.Inflate(-2, -2);
            Assert.True(crop.Contains(visible), $"crop {crop} leaves out part of the garment {visible}");
        }
    }

    [Fact]
    public async Task A_tilted_garment_is_turned_back_upright_and_the_rotation_reported()
    {
        int checkedPhotos = 0, close = 0;
        for (int index = 0; checkedPhotos < 30; index++)
        {
            using var photo = ProductPhotos.Render(PhotoKind.Tilt, index, Test.Image(index), out _, out var placement);
            if (Math.Abs(placement.TiltDegrees) < 5) continue;
            checkedPhotos++;
            double rotation = (await PredictAsync(Jpeg(photo))).GetProperty("preprocessing").GetProperty("rotationDegrees").GetDouble();
            if (Math.Abs(rotation - placement.TiltDegrees) <= 3) close++;
        }
        Assert.True(close >= 20, $"{close} of 30 photos tilted by 5–10° were turned back to within 3° of upright");
    }

    [Fact]
    public async Task A_photo_goes_through_the_same_preprocessing_whichever_endpoint_takes_it()
    {
        var client = await factory.CreateReadyClientAsync();
        var photos = Enumerable.Range(0, 3).Select(i => ProductPhotos.Make(PhotoKind.Beige, i, Test.Image(i))).ToArray();
        var batch = (await (await client.PostAsync("/predict/batch", Multipart("images", photos))).AssertOkJsonAsync()).EnumerateArray().ToList();
        var preprocessor = factory.Services.GetRequiredService<ImagePreprocessor>();
        for (int i = 0; i < photos.Length; i++)
        {
            var single = await (await client.PostAsync("/predict?include=input", ImageContent(photos[i], "image/jpeg"))).AssertOkJsonAsync();
            Assert.Equal(single.GetProperty("preprocessing").GetRawText(), batch[i].GetProperty("preprocessing").GetRawText());
            Assert.Equal(single.GetProperty("probabilities").GetRawText(), batch[i].GetProperty("probabilities").GetRawText());
            // include=input shows exactly what the one preprocessing path made.
            var expected = preprocessor.Prepare(photos[i], InvertMode.Auto, CancellationToken.None).Pixels;
            string input = single.GetProperty("input").GetString()!;
            using var seen = Image.Load<L8>(Convert.FromBase64String(input[(input.IndexOf(',') + 1)..]));
            var pixels = new byte[28 * 28];
            seen.CopyPixelDataTo(pixels);
            Assert.Equal(expected, pixels);
        }
    }

    [Fact]
    public async Task A_single_garment_on_a_plain_ground_gets_no_warnings()
    {
        int warned = 0;
        var preprocessor = factory.Services.GetRequiredService<ImagePreprocessor>();
        foreach (var kind in new[] { PhotoKind.WhiteJpeg, PhotoKind.OffWhiteUnevenLight, PhotoKind.LightOnDark })
            for (int i = 0; i < 100; i++)
                if (preprocessor.Prepare(ProductPhotos.Make(kind, i, Test.Image(i)), InvertMode.Auto, CancellationToken.None).Preprocessing.Warnings.Count > 0)
                    warned++;
        Assert.True(warned <= 6, $"{warned} of 300 plain product photos were flagged");
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_blank_photo_is_flagged_as_having_no_foreground()
    {
        using var blank = new Image<Rgb24>(320, 240, new Rgb24(236, 232, 225));
        Assert.Contains("noForeground", Warnings(await PredictAsync(Jpeg(blank))));
    }

    [Fact]
    public async Task A_garment_barely_darker_than_its_ground_is_flagged_as_low_contrast()
    {
        using var garment = Image.LoadPixelData<L8>(Test.Image(2), 28, 28); // a trouser
        garment.Mutate(x => x.Resize(168, 168));
        using var photo = new Image<Rgb24>(300, 260);
        var random = new Random(18);
        photo.ProcessPixelRows(garment, (rows, ink) =>
        {
            for (int y = 0; y < rows.Height; y++)
                for (int x = 0; x < rows.Width; x++)
                {
                    int gx = x - 66, gy = y - 46;
                    double cover = gx >= 0 && gy >= 0 && gx < 168 && gy < 168 ? ink.GetRowSpan(gy)[gx].PackedValue / 255.0 : 0;
                    byte level = (byte)Math.Clamp(220 - 14 * cover + 3 * (random.NextDouble() - 0.5), 0, 255);
                    rows.GetRowSpan(y)[x] = new Rgb24(level, level, level);
                }
        });
        Assert.Contains("lowContrast", Warnings(await PredictAsync(Jpeg(photo))));
    }

    [Fact]
    public async Task Two_garments_side_by_side_are_flagged_as_several_objects()
    {
        using var photo = new Image<Rgb24>(480, 240, new Rgb24(250, 250, 250));
        foreach (var (index, left) in new[] { (0, 20), (2, 260) }) // an ankle boot and a trouser
        {
            using var garment = Image.LoadPixelData<L8>(Test.Image(index), 28, 28);
            garment.Mutate(x => x.Invert().Resize(196, 196));
            photo.Mutate(x => x.DrawImage(garment.CloneAs<Rgb24>(), new Point(left, 22), 1f));
        }
        Assert.Contains("severalObjects", Warnings(await PredictAsync(Jpeg(photo))));
    }

    [Fact]
    public async Task A_close_up_that_fills_the_frame_is_flagged_as_touching_every_border()
    {
        // A pullover cropped tight: its sleeves, collar and hem reach past the frame; only the corners show the ground.
        using var garment = Image.LoadPixelData<L8>(Test.Image(1), 28, 28);
        garment.Mutate(x => x.Invert().Resize(280, 280));
        using var photo = new Image<Rgb24>(200, 200, new Rgb24(255, 255, 255));
        photo.Mutate(x => x.DrawImage(garment.CloneAs<Rgb24>(), new Point(-40, -40), 1f));
        var prediction = await PredictAsync(Jpeg(photo));
        Assert.True(Warnings(prediction).Contains("foregroundTouchesEveryBorder"), prediction.GetProperty("preprocessing").GetRawText());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(1, 900)]
    [InlineData(900, 2)]
    [InlineData(29, 28)]
    [InlineData(2048, 2048)]
    public void Any_size_of_blank_noisy_or_striped_image_gets_a_28x28_input(int width, int height)
    {
        var preprocessor = factory.Services.GetRequiredService<ImagePreprocessor>();
        var random = new Random(width * 7919 + height);
        var patterns = new Func<int, int, byte>[] { (_, _) => 200, (_, _) => (byte)random.Next(256), (x, _) => (byte)(x % 2 * 255), (x, y) => (byte)((x + y) % 256) };
        foreach (var pattern in patterns)
        {
            var pixels = new byte[width * height];
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++) pixels[y * width + x] = pattern(x, y);
            var prepared = preprocessor.Prepare(TestData.Png(pixels, width, height), InvertMode.Auto, CancellationToken.None);
            Assert.Equal(784, prepared.Pixels.Length);
            var box = prepared.Preprocessing.CropBox;
            Assert.True(box.X >= 0 && box.Y >= 0 && box.Width >= 1 && box.Height >= 1 && box.X + box.Width <= width && box.Y + box.Height <= height, box.ToString());
        }
    }
}
