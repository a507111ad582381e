using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FashionApi.Dataset;
using FashionApi.Model;

namespace FashionApi.Inference;

/// <summary>
/// The forward pass that serves predictions and scores saved models: softmax(W·x + b) over trained weights.
/// It is plain managed SIMD rather than TorchSharp on purpose: a 784→10 layer is too small to gain from libtorch, and
/// libtorch's batched matrix product rounds differently depending on batch size and memory alignment, so the same image
/// could get slightly different probabilities alone and in a batch. Here every image is computed the same way, every
/// time, and a request allocates no native memory at all. Immutable, so any number of threads can share it.
/// </summary>
public sealed class SoftmaxClassifier(ModelWeights weights)
{
    const int Inputs = ModelWeights.Inputs, Classes = ModelWeights.Outputs;
    readonly float[] weight = weights.Validate().Weight;
    readonly float[] bias = weights.Bias;

    /// <summary>Scales raw 8-bit pixels to the 0–1 floats the model takes; every inference path goes through here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimise before the first call, not after
    public static void ScalePixels(ReadOnlySpan<byte> pixels, Span<float> scaled)
    {
        for (int i = 0; i < pixels.Length; i++)
            scaled[i] = pixels[i] / 255f;
    }

    public static float[] ScalePixels(ReadOnlySpan<byte> pixels)
    {
        var scaled = new float[pixels.Length];
        ScalePixels(pixels, scaled);
        return scaled;
    }

    /// <summary>Class probabilities for images laid back to back (784 values each, 0–1): <c>count × 10</c>, row-major.</summary>
    public float[] Probabilities(ReadOnlySpan<float> pixels)
    {
        int count = pixels.Length / Inputs;
        var probabilities = new float[count * Classes];
        for (int i = 0; i < count; i++)
            Probabilities(pixels.Slice(i * Inputs, Inputs), probabilities.AsSpan(i * Classes, Classes));
        return probabilities;
    }

    /// <summary>The most likely class of each image given as raw bytes (the dataset's own form). Works image by
    /// image through small buffers, so scoring the test set allocates nothing large.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimise before the first call, not after
    public int[] PredictLabels(ReadOnlySpan<byte> pixels)
    {
        var labels = new int[pixels.Length / Inputs];
        Span<float> image = stackalloc float[Inputs];
        Span<float> probabilities = stackalloc float[Classes];
        for (int i = 0; i < labels.Length; i++)
        {
            ScalePixels(pixels.Slice(i * Inputs, Inputs), image);
            Probabilities(image, probabilities);
            labels[i] = ArgMax(probabilities);
        }
        return labels;
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int c = 1; c < values.Length; c++)
            if (values[c] > values[best]) best = c;
        return best;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimise before the first call, not after
    void Probabilities(ReadOnlySpan<float> image, Span<float> output)
    {
        float max = float.NegativeInfinity;
        for (int c = 0; c < Classes; c++)
        {
            output[c] = Dot(weight.AsSpan(c * Inputs, Inputs), image) + bias[c];
            max = MathF.Max(max, output[c]);
        }
        // Shifting by the largest logit leaves softmax unchanged and keeps exp() from overflowing.
        float sum = 0;
        for (int c = 0; c < Classes; c++)
            sum += output[c] = MathF.Exp(output[c] - max);
        for (int c = 0; c < Classes; c++)
            output[c] /= sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimise before the first call, not after
    static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        var accumulator = Vector<float>.Zero;
        for (int i = 0; i < va.Length; i++)
            accumulator = Vector.FusedMultiplyAdd(va[i], vb[i], accumulator);
        float sum = Vector.Sum(accumulator);
        for (int i = va.Length * Vector<float>.Count; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }
}
