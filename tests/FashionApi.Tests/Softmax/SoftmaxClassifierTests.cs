using FashionApi.Dataset;
using FashionApi.Softmax;
using FashionApi.Tests.Infrastructure;
using static TorchSharp.torch;

namespace FashionApi.Tests.Softmax;

public class SoftmaxClassifierTests
{
    [Fact]
    public void Probabilities_agree_with_torch_and_sum_to_one()
    {
        var weights = TestData.SeedModel.Weights;
        float[] pixels = SoftmaxClassifier.ScalePixels(TestData.FashionMnist.Test.Pixels.AsSpan(0, 50 * 784));
        float[] ours = new SoftmaxClassifier(weights).Probabilities(pixels);

        using var scope = NewDisposeScope();
        var logits = tensor(pixels, [50, 784]).matmul(tensor(weights.Weight, [10, 784]).t()).add(tensor(weights.Bias));
        float[] reference = nn.functional.softmax(logits, 1).data<float>().ToArray();
        for (int i = 0; i < ours.Length; i++)
            Assert.Equal(reference[i], ours[i], 1e-5f);
        for (int row = 0; row < 50; row++)
            Assert.Equal(1f, ours.AsSpan(row * 10, 10).ToArray().Sum(), 1e-5f);
    }

    [Fact]
    public void An_image_gets_the_same_probabilities_alone_and_in_any_batch()
    {
        var classifier = new SoftmaxClassifier(TestData.SeedModel.Weights);
        float[] batch = SoftmaxClassifier.ScalePixels(TestData.FashionMnist.Test.Pixels.AsSpan(0, 64 * 784));
        float[] together = classifier.Probabilities(batch);
        for (int i = 0; i < 64; i += 7)
            Assert.Equal(together.AsSpan(i * 10, 10).ToArray(), classifier.Probabilities(batch.AsSpan(i * 784, 784)));
    }

    [Fact]
    public void Extreme_logits_do_not_overflow()
    {
        var weights = TestData.SeedModel.Weights with { Bias = [1e30f, 0, 0, 0, 0, 0, 0, 0, 0, -1e30f] };
        float[] probabilities = new SoftmaxClassifier(weights).Probabilities(new float[784]);
        Assert.Equal(1f, probabilities[0]);
        Assert.All(probabilities, p => Assert.True(float.IsFinite(p)));
    }

    [Theory]
    [InlineData(784)]
    [InlineData(3 * 784)]
    [InlineData(37)] // shorter than one vector, and a length that leaves a remainder after the vectors
    public void Pixels_are_scaled_exactly_as_dividing_each_by_255(int length)
    {
        byte[] pixels = Enumerable.Range(0, length).Select(i => (byte)(255 - i * 7 % 256)).ToArray();
        float[] scaled = SoftmaxClassifier.ScalePixels(pixels);
        for (int i = 0; i < length; i++)
            Assert.Equal(pixels[i] / 255f, scaled[i]); // exact: no tolerance
        Assert.Contains((byte)255, pixels);
    }
}
