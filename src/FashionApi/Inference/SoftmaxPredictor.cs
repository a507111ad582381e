using FashionApi.Dataset;
using FashionApi.Model;
using static TorchSharp.torch;

namespace FashionApi.Inference;

/// <summary>The one forward pass of the service: flattened images scaled to 0–1 in, class probabilities out. Every
/// tensor it makes is disposed before it returns, so serving allocates no native memory that outlives a call.</summary>
public static class SoftmaxPredictor
{
    /// <summary>Probabilities for <paramref name="count"/> images laid back to back (784 values each, 0–1),
    /// returned as <c>count × 10</c> values, row-major.</summary>
    public static float[] Probabilities(SoftmaxRegression model, float[] pixels, int count)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(pixels, [count, FashionMnist.PixelCount]);
        return nn.functional.softmax(model.forward(input), 1).data<float>().ToArray();
    }

    /// <summary>Scales raw 8-bit pixels to the 0–1 floats the model takes; every inference path goes through here.</summary>
    public static float[] ScalePixels(ReadOnlySpan<byte> pixels)
    {
        var scaled = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
            scaled[i] = pixels[i] / 255f;
        return scaled;
    }

    /// <summary>Most likely class of each image given as raw bytes (the dataset's own form), in one forward pass.</summary>
    public static int[] PredictLabels(SoftmaxRegression model, byte[] pixels, int count)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ScalePixels(pixels), [count, FashionMnist.PixelCount]);
        return model.forward(input).argmax(1).to_type(int32).data<int>().ToArray();
    }
}
