using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FashionApi.Softmax;

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

    /// <summary>Scales raw 8-bit pixels to the 0–1 floats the model takes; every inference path goes through here.
    /// Vectorised (it dominated scoring the test set when it divided one pixel at a time); a vector division rounds
    /// each lane exactly as the scalar division does, so the values are the same either way.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimise before the first call, not after
    public static void ScalePixels(ReadOnlySpan<byte> pixels, Span<float> scaled)
    {
        if (scaled.Length < pixels.Length)
            throw new ArgumentException("The destination is shorter than the pixels.", nameof(scaled));
        var divisor = new Vector<float>(255f);
        int lanes = Vector<float>.Count, i = 0;
        for (; i <= pixels.Length - Vector<byte>.Count; i += Vector<byte>.Count)
        {
            Vector.Widen(new Vector<byte>(pixels[i..]), out var low, out var high);
            Vector.Widen(low, out var first, out var second);
            Vector.Widen(high, out var third, out var fourth);
            (Vector.ConvertToSingle(first) / divisor).CopyTo(scaled[i..]);
            (Vector.ConvertToSingle(second) / divisor).CopyTo(scaled[(i + lanes)..]);
            (Vector.ConvertToSingle(third) / divisor).CopyTo(scaled[(i + 2 * lanes)..]);
            (Vector.ConvertToSingle(fourth) / divisor).CopyTo(scaled[(i + 3 * lanes)..]);
        }
        for (; i < pixels.Length; i++)
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
        for (int c = 0; c < Classes; c += ClassesPerPass)
            Scores(image, c, output);
        float max = float.NegativeInfinity;
        for (int c = 0; c < Classes; c++)
        {
            output[c] += bias[c];
            max = MathF.Max(max, output[c]);
        }
        // Shifting by the largest logit leaves softmax unchanged and keeps exp() from overflowing.
        float sum = 0;
        for (int c = 0; c < Classes; c++)
            sum += output[c] = MathF.Exp(output[c] - max);
        for (int c = 0; c < Classes; c++)
            output[c] /= sum;
    }

    const int ClassesPerPass = 5; // divides the 10 classes; the five running sums fit the registers with room to spare

    /// <summary>W·x for five classes in one pass over the image: each vector of pixels is loaded once for five
    /// multiply-adds, and the five running sums are independent, so none waits for another.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: optimise before the first call, not after
    void Scores(ReadOnlySpan<float> image, int firstClass, Span<float> output)
    {
        var x = MemoryMarshal.Cast<float, Vector<float>>(image[..Inputs]);
        var w0 = MemoryMarshal.Cast<float, Vector<float>>(weight.AsSpan(firstClass * Inputs, Inputs))[..x.Length];
        var w1 = MemoryMarshal.Cast<float, Vector<float>>(weight.AsSpan((firstClass + 1) * Inputs, Inputs))[..x.Length];
        var w2 = MemoryMarshal.Cast<float, Vector<float>>(weight.AsSpan((firstClass + 2) * Inputs, Inputs))[..x.Length];
        var w3 = MemoryMarshal.Cast<float, Vector<float>>(weight.AsSpan((firstClass + 3) * Inputs, Inputs))[..x.Length];
        var w4 = MemoryMarshal.Cast<float, Vector<float>>(weight.AsSpan((firstClass + 4) * Inputs, Inputs))[..x.Length];
        Vector<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default;
        for (int i = 0; i < x.Length; i++)
        {
            var xi = x[i];
            s0 = Vector.FusedMultiplyAdd(w0[i], xi, s0);
            s1 = Vector.FusedMultiplyAdd(w1[i], xi, s1);
            s2 = Vector.FusedMultiplyAdd(w2[i], xi, s2);
            s3 = Vector.FusedMultiplyAdd(w3[i], xi, s3);
            s4 = Vector.FusedMultiplyAdd(w4[i], xi, s4);
        }
        output[firstClass] = Vector.Sum(s0);
        output[firstClass + 1] = Vector.Sum(s1);
        output[firstClass + 2] = Vector.Sum(s2);
        output[firstClass + 3] = Vector.Sum(s3);
        output[firstClass + 4] = Vector.Sum(s4);
        // Pixels past the last whole vector (none while 784 is a multiple of the vector width).
        for (int i = x.Length * Vector<float>.Count; i < Inputs; i++)
            for (int c = firstClass; c < firstClass + ClassesPerPass; c++)
                output[c] += weight[c * Inputs + i] * image[i];
    }
}
