using System.Net;
using System.Text.Json;
using FashionApi.Dataset;
using FashionApi.Predictions;
using FashionApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Predictions;

public class PredictTests(FashionApiFactory factory) : IClassFixture<FashionApiFactory>
{
    static FashionMnistSplit Test => TestData.FashionMnist.Test;

    static float[] Probabilities(JsonElement prediction) =>
        FashionMnist.ClassNames.Select(name => prediction.GetProperty("probabilities").GetProperty(name).GetSingle()).ToArray();

    IReadOnlyList<Prediction> InProcess(int index) =>
        factory.Services.GetRequiredService<ModelPredictor>().Predict(Test.Image(index));

    [Fact]
    public async Task A_test_set_png_predicts_exactly_as_the_in_process_predictor()
    {
        var client = await factory.CreateReadyClientAsync();
        for (int index = 0; index < 20; index++)
        {
            var prediction = await (await client.PostAsync("/predict", ImageContent(TestData.Png(Test.Image(index))))).AssertOkJsonAsync();
            var expected = Assert.Single(InProcess(index));

            Assert.Equal(expected.Label, prediction.GetProperty("label").GetInt32());
            Assert.Equal(expected.ClassName, prediction.GetProperty("className").GetString());
            Assert.Equal(expected.Confidence, prediction.GetProperty("confidence").GetSingle());
            Assert.Equal(expected.Probabilities.Values, Probabilities(prediction));
            Assert.Equal(factory.SeedVersion, prediction.GetProperty("modelVersion").GetString());
            var preprocessing = prediction.GetProperty("preprocessing");
            Assert.False(preprocessing.GetProperty("resized").GetBoolean());
            Assert.False(preprocessing.GetProperty("inverted").GetBoolean());
        }
    }

    [Fact]
    public async Task The_first_test_image_is_an_ankle_boot_with_high_confidence()
    {
        var client = await factory.CreateReadyClientAsync();
        var prediction = await (await client.PostAsync("/predict", Multipart("image", TestData.Png(Test.Image(0))))).AssertOkJsonAsync();
        Assert.Equal(9, prediction.GetProperty("label").GetInt32());
        Assert.Equal("Ankle boot", prediction.GetProperty("className").GetString());
        Assert.True(prediction.GetProperty("confidence").GetSingle() > 0.5f);
        Assert.Equal(1f, Probabilities(prediction).Sum(), 1e-4f);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpeg")]
    [InlineData("bmp")]
    [InlineData("gif")]
    public async Task Png_jpeg_bmp_and_gif_uploads_are_classified(string format)
    {
        var client = await factory.CreateReadyClientAsync();
        int index = Enumerable.Range(0, 100).First(i => Test.Labels[i] == 1); // a trouser: distinctive in any format
        using var image = Image.LoadPixelData<L8>(Test.Image(index), 28, 28);
        using var stream = new MemoryStream();
        image.Save(stream, format switch
        {
            "jpeg" => new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 95 },
            "bmp" => new SixLabors.ImageSharp.Formats.Bmp.BmpEncoder(),
            "gif" => new SixLabors.ImageSharp.Formats.Gif.GifEncoder(),
            _ => new SixLabors.ImageSharp.Formats.Png.PngEncoder(),
        });

        var multipart = await (await client.PostAsync("/predict", Multipart("image", stream.ToArray()))).AssertOkJsonAsync();
        var raw = await (await client.PostAsync("/predict", ImageContent(stream.ToArray(), $"image/{format}"))).AssertOkJsonAsync();
        Assert.Equal("Trouser", multipart.GetProperty("className").GetString());
        Assert.Equal(format, multipart.GetProperty("preprocessing").GetProperty("format").GetString());
        Assert.Equal(Probabilities(multipart), Probabilities(raw));
    }

    [Fact]
    public async Task Json_pixels_in_0_255_or_0_1_match_the_image_upload()
    {
        var client = await factory.CreateReadyClientAsync();
        var bytes = Test.Image(3).ToArray();
        var fromImage = await (await client.PostAsync("/predict", ImageContent(TestData.Png(bytes)))).AssertOkJsonAsync();
        var from255 = await (await client.PostAsync("/predict", JsonBody(new { pixels = bytes.Select(b => (int)b) }))).AssertOkJsonAsync();
        var fromUnit = await (await client.PostAsync("/predict", JsonBody(new { pixels = bytes.Select(b => b / 255f) }))).AssertOkJsonAsync();
        Assert.Equal(Probabilities(fromImage), Probabilities(from255));
        Assert.Equal(Probabilities(fromImage), Probabilities(fromUnit));
        Assert.False(from255.TryGetProperty("preprocessing", out var p) && p.ValueKind != JsonValueKind.Null);
    }

    [Fact]
    public async Task A_colour_photo_like_image_on_white_is_inverted_resized_and_still_classified()
    {
        var client = await factory.CreateReadyClientAsync();
        var trousers = Enumerable.Range(0, 500).Where(i => Test.Labels[i] == 1 && Assert.Single(InProcess(i)).Label == 1).Take(5).ToList();
        foreach (int index in trousers)
        {
            // A dark-blue garment on a white 200×150 canvas, as a phone photo of a product might look.
            using var garment = Image.LoadPixelData<L8>(Test.Image(index), 28, 28).CloneAs<Rgb24>();
            garment.Mutate(x => x.Resize(112, 112));
            garment.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height; y++)
                    foreach (ref var pixel in rows.GetRowSpan(y))
                    {
                        float ink = pixel.R / 255f;
                        pixel = new Rgb24((byte)(255 - 235 * ink), (byte)(255 - 215 * ink), (byte)(255 - 120 * ink));
                    }
            });
            using var photo = new Image<Rgb24>(150, 200, new Rgb24(255, 255, 255));
            photo.Mutate(x => x.DrawImage(garment, new Point(19, 44), 1f));
            using var stream = new MemoryStream();
            photo.SaveAsJpeg(stream);

            var prediction = await (await client.PostAsync("/predict", ImageContent(stream.ToArray(), "image/jpeg"))).AssertOkJsonAsync();
            var preprocessing = prediction.GetProperty("preprocessing");
            Assert.True(preprocessing.GetProperty("inverted").GetBoolean());
            Assert.True(preprocessing.GetProperty("resized").GetBoolean());
            Assert.True(preprocessing.GetProperty("convertedToGrayscale").GetBoolean());
            Assert.Equal(150, preprocessing.GetProperty("originalWidth").GetInt32());
            Assert.Equal("Trouser", prediction.GetProperty("className").GetString());

            var notInverted = await (await client.PostAsync("/predict?invert=false", ImageContent(stream.ToArray(), "image/jpeg"))).AssertOkJsonAsync();
            Assert.False(notInverted.GetProperty("preprocessing").GetProperty("inverted").GetBoolean());
        }
    }

    [Fact]
    public async Task A_batch_answers_in_input_order_exactly_as_single_predictions()
    {
        var client = await factory.CreateReadyClientAsync();
        int[] indices = [5, 0, 17, 3, 8];
        var images = indices.Select(i => TestData.Png(Test.Image(i))).ToArray();

        var uploads = await (await client.PostAsync("/predict/batch", Multipart("images", images))).AssertOkJsonAsync();
        var json = await (await client.PostAsync("/predict/batch",
            JsonBody(new { instances = indices.Select(i => Test.Image(i).ToArray().Select(b => (int)b)) }))).AssertOkJsonAsync();

        Assert.Equal(indices.Length, uploads.GetArrayLength());
        Assert.Equal(indices.Length, json.GetArrayLength());
        for (int k = 0; k < indices.Length; k++)
        {
            var single = Assert.Single(InProcess(indices[k]));
            Assert.Equal(single.Probabilities.Values, Probabilities(uploads[k]));
            Assert.Equal(single.Probabilities.Values, Probabilities(json[k]));
        }
    }
}
