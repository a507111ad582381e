using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FashionApi.Dataset;
using FashionApi.Tests.Infrastructure;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Samples;

/// <summary>The endpoints behind the page's Explore and Models views, on the real test set and a seed model.</summary>
public class SampleApiTests(FashionApiFactory factory) : IClassFixture<FashionApiFactory>
{
    [Fact]
    public async Task Samples_list_the_test_set_with_the_active_models_predictions_and_their_filters_agree_with_its_evaluation()
    {
        var client = await factory.CreateReadyClientAsync();
        var model = await (await client.GetAsync("/model")).AssertOkJsonAsync();
        var evaluation = model.GetProperty("evaluation");

        var all = await (await client.GetAsync("/samples")).AssertOkJsonAsync();
        Assert.Equal(factory.SeedVersion, all.GetProperty("modelVersion").GetString());
        Assert.Equal(10_000, all.GetProperty("total").GetInt32());
        Assert.Equal(60, all.GetProperty("items").GetArrayLength());
        var first = all.GetProperty("items")[0];
        Assert.Equal(0, first.GetProperty("index").GetInt32());
        Assert.Equal(TestData.FashionMnist.Test.Labels[0], first.GetProperty("trueLabel").GetInt32());
        Assert.Equal("Ankle boot", first.GetProperty("trueClass").GetString());

        // The page's figures must be the ones served: same label and confidence as POST /predict for that image.
        var predicted = await (await client.PostAsync("/predict", ImageContent(TestData.Png(TestData.FashionMnist.Test.Image(0))))).AssertOkJsonAsync();
        Assert.Equal(predicted.GetProperty("label").GetInt32(), first.GetProperty("predictedLabel").GetInt32());
        Assert.Equal(predicted.GetProperty("confidence").GetSingle(), first.GetProperty("confidence").GetSingle());

        var mistakes = await (await client.GetAsync("/samples?mistakes=true&pageSize=500")).AssertOkJsonAsync();
        int errors = (int)Math.Round(10_000 * (1 - evaluation.GetProperty("testAccuracy").GetDouble()));
        Assert.Equal(errors, mistakes.GetProperty("total").GetInt32());
        Assert.All(mistakes.GetProperty("items").EnumerateArray(), s =>
        {
            Assert.False(s.GetProperty("correct").GetBoolean());
            Assert.NotEqual(s.GetProperty("trueLabel").GetInt32(), s.GetProperty("predictedLabel").GetInt32());
        });

        // One cell of the confusion matrix: shirts taken for T-shirts, paged through to the end.
        int cell = evaluation.GetProperty("confusionMatrix")[6][0].GetInt32();
        var indexes = new List<int>();
        for (int page = 1; ; page++)
        {
            var result = await (await client.GetAsync($"/samples?trueLabel=6&predictedLabel=0&pageSize=50&page={page}")).AssertOkJsonAsync();
            Assert.Equal(cell, result.GetProperty("total").GetInt32());
            indexes.AddRange(result.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("index").GetInt32()));
            if (page >= result.GetProperty("pages").GetInt32()) break;
        }
        Assert.Equal(cell, indexes.Distinct().Count());
        var beyond = await (await client.GetAsync($"/samples?page={int.MaxValue}&pageSize=500")).AssertOkJsonAsync();
        Assert.Equal(0, beyond.GetProperty("items").GetArrayLength());
        Assert.Equal(20, beyond.GetProperty("pages").GetInt32());
        Assert.All(indexes, i => Assert.Equal(6, TestData.FashionMnist.Test.Labels[i]));
        Assert.Equal(indexes.Order(), indexes);
    }

    [Theory]
    [InlineData("/samples?trueLabel=10", "trueLabel=10 is not a class")]
    [InlineData("/samples?predictedLabel=-1", "predictedLabel=-1 is not a class")]
    [InlineData("/samples?pageSize=0", "pageSize=0")]
    [InlineData("/samples?pageSize=501", "1–500")]
    [InlineData("/samples?page=0", "counted from 1")]
    [InlineData("/samples?trueLabel=shirt", "trueLabel")]
    [InlineData("/samples?mistakes=maybe", "mistakes")]
    public async Task Bad_sample_queries_are_a_400_that_says_what_to_send(string url, string detail)
    {
        await (await factory.CreateClient().GetAsync(url)).AssertProblemAsync(HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task Each_sample_is_a_28_by_28_grayscale_png_of_the_test_image_cacheable_for_good()
    {
        var client = factory.CreateClient();
        var response = await client.GetAsync("/samples/9999.png");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", response.Headers.CacheControl?.ToString());
        using var image = Image.Load<L8>(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((28, 28), (image.Width, image.Height));
        var pixels = new byte[784];
        image.CopyPixelDataTo(pixels);
        Assert.Equal(TestData.FashionMnist.Test.Image(9999).ToArray(), pixels);

        await (await client.GetAsync("/samples/10000.png")).AssertProblemAsync(HttpStatusCode.NotFound, "0–9999");
        await (await client.GetAsync("/samples/-1.png")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/samples/abc.png")).AssertProblemAsync(HttpStatusCode.BadRequest, "index");
    }

    [Fact]
    public async Task The_class_names_are_listed_in_label_order()
    {
        var client = factory.CreateClient();
        var classes = await (await client.GetAsync("/samples/classes")).AssertOkJsonAsync();
        Assert.Equal(FashionMnist.ClassNames, classes.EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task The_list_of_versions_carries_what_a_list_shows_hyperparameters_training_time_and_weights_checksum()
    {
        // One request for the page's Models view, not one more per version; the fields it had before are still there.
        var client = factory.CreateClient();
        var version = (await (await client.GetAsync("/models")).AssertOkJsonAsync()).EnumerateArray().Single();
        var manifest = await (await client.GetAsync($"/models/{factory.SeedVersion}")).AssertOkJsonAsync();
        foreach (string field in new[] { "version", "testAccuracy", "implementation", "preset", "createdAt", "jobId", "activation" })
            Assert.True(version.TryGetProperty(field, out _), field);
        Assert.True(version.GetProperty("active").GetBoolean());
        Assert.Equal(manifest.GetProperty("hyperparameters").GetRawText(), version.GetProperty("hyperparameters").GetRawText());
        Assert.Equal(manifest.GetProperty("trainingSeconds").GetDouble(), version.GetProperty("trainingSeconds").GetDouble());
        Assert.Equal(manifest.GetProperty("weightsSha256").GetString(), version.GetProperty("weightsSha256").GetString());
        Assert.Equal(64, version.GetProperty("weightsSha256").GetString()!.Length);
        Assert.Equal(0.1, version.GetProperty("hyperparameters").GetProperty("learningRate").GetDouble());

        // Documented: Swagger's schema of a listed version names the new fields.
        var document = await (await client.GetAsync("/swagger/v1/swagger.json")).AssertOkJsonAsync();
        var savedModel = document.GetProperty("components").GetProperty("schemas").GetProperty("SavedModel").GetProperty("properties");
        foreach (string field in new[] { "hyperparameters", "trainingSeconds", "weightsSha256" })
            Assert.True(savedModel.TryGetProperty(field, out _), field);
    }

    [Fact]
    public async Task A_versions_weights_are_ten_rows_of_784_equal_to_the_saved_ones()
    {
        var client = factory.CreateClient();
        var weights = await (await client.GetAsync($"/models/{factory.SeedVersion}/weights")).AssertOkJsonAsync();
        var saved = TestData.SeedModel.Weights;
        Assert.Equal(10, weights.GetProperty("weights").GetArrayLength());
        Assert.Equal("Ankle boot", weights.GetProperty("classes")[9].GetString());
        var row9 = weights.GetProperty("weights")[9].EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(saved.Weight.AsSpan(9 * 784, 784).ToArray(), row9);
        Assert.Equal(saved.Bias, weights.GetProperty("bias").EnumerateArray().Select(v => v.GetSingle()));

        await (await client.GetAsync("/models/20990101-nope/weights")).AssertProblemAsync(HttpStatusCode.NotFound, "GET /models");
    }

    [Fact]
    public async Task Predict_returns_the_preprocessed_input_when_asked()
    {
        var client = await factory.CreateReadyClientAsync();
        // A 56×56 dark-on-light upload: the model sees it inverted and scaled down to 28×28.
        var large = new byte[56 * 56];
        Array.Fill(large, (byte)255);
        for (int y = 10; y < 46; y++) for (int x = 20; x < 36; x++) large[y * 56 + x] = 0;
        var prediction = await (await client.PostAsync("/predict?include=input", ImageContent(TestData.Png(large, 56, 56)))).AssertOkJsonAsync();
        string url = prediction.GetProperty("input").GetString()!;
        Assert.StartsWith("data:image/png;base64,", url);
        using var input = Image.Load<L8>(Convert.FromBase64String(url["data:image/png;base64,".Length..]));
        Assert.Equal((28, 28), (input.Width, input.Height));
        Assert.Equal(255, input[14, 14].PackedValue); // the dark bar became the light garment
        Assert.Equal(0, input[0, 0].PackedValue);

        var plain = await (await client.PostAsync("/predict", ImageContent(TestData.Png(large, 56, 56)))).AssertOkJsonAsync();
        Assert.False(plain.TryGetProperty("input", out _));
        await (await client.PostAsync("/predict?include=everything", ImageContent(TestData.Png(large, 56, 56))))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "include=input");
        // Checked before the body is read: bytes that are no image still get the answer about the parameter.
        await (await client.PostAsync("/predict?include=everything", ImageContent([1, 2, 3])))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "include=input");

        // JSON pixels: the input is those pixels.
        var pixels = TestData.FashionMnist.Test.Image(0).ToArray();
        var fromJson = await (await client.PostAsJsonAsync("/predict?include=input", new { pixels = pixels.Select(p => (int)p) })).AssertOkJsonAsync();
        string jsonUrl = fromJson.GetProperty("input").GetString()!;
        using var jsonInput = Image.Load<L8>(Convert.FromBase64String(jsonUrl["data:image/png;base64,".Length..]));
        var seen = new byte[28 * 28];
        jsonInput.CopyPixelDataTo(seen);
        Assert.Equal(pixels, seen);
    }

    [Fact]
    public async Task Presets_list_every_hyperparameter_of_each_and_the_accepted_choices()
    {
        var list = await (await factory.CreateClient().GetAsync("/train/presets")).AssertOkJsonAsync();
        var presets = list.GetProperty("presets");
        var seed = presets.GetProperty("seed");
        Assert.Equal(5, seed.GetProperty("epochs").GetInt32());
        Assert.Equal(0.1, seed.GetProperty("learningRate").GetDouble());
        Assert.True(presets.TryGetProperty("default", out _));
        var choices = list.GetProperty("choices");
        Assert.Contains("builtin", choices.GetProperty("implementation").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["sgd", "adam"], choices.GetProperty("optimizer").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["constant", "cosine"], choices.GetProperty("schedule").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["always", "ifBetter", "never"], choices.GetProperty("activate").EnumerateArray().Select(v => v.GetString()));
    }
}
