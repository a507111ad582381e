using static TorchSharp.torch;

namespace FashionApi.Model;

public sealed partial class ScratchSoftmaxRegression
{
    /// <summary>Views of the buffers for a minibatch of n images split in two halves, and the work on each half as
    /// actions for the <see cref="ParallelPair"/>. The caller's thread always takes the first half and the helper the
    /// second, so each half's pixels are converted, read and read again by the same core; splitting the update by
    /// columns instead made every step move the pixels between the two cores' caches, which cost all it gained.
    /// The views are made on the training thread, so the actions only run in-place operations and make no tensors
    /// on the helper thread.</summary>
    sealed class Minibatch : IDisposable
    {
        readonly List<Tensor> views = [];
        readonly long half, n;
        Tensor? firstBytes, secondBytes;

        public Minibatch(ScratchSoftmaxRegression model, long n)
        {
            this.n = n;
            half = n / 2;
            var inputs = View(model.inputBuffer.narrow(0, 0, n));
            var (firstInputs, secondInputs) = (View(inputs.narrow(0, 0, half)), View(inputs.narrow(0, half, n - half)));
            var (firstPixels, secondPixels) = (View(firstInputs.narrow(1, 0, ModelWeights.Inputs)), View(secondInputs.narrow(1, 0, ModelWeights.Inputs)));
            var (firstInputsT, secondInputsT) = (View(firstInputs.t()), View(secondInputs.t()));
            Scores = View(model.scoreBuffer.narrow(1, 0, n));
            var (firstScores, secondScores) = (View(Scores.narrow(1, 0, half)), View(Scores.narrow(1, half, n - half)));
            MinusOnes = View(model.minusOnes.narrow(1, 0, n));

            // Forward: pixels to floats, then scores = (W | b)·(x | 255)ᵀ / 255.
            ScoreFirstHalf = () =>
            {
                firstPixels.copy_(firstBytes!);
                firstScores.addmm_(model.parameters, firstInputsT, beta: 0, alpha: PixelScale);
            };
            ScoreSecondHalf = () =>
            {
                secondPixels.copy_(secondBytes!);
                secondScores.addmm_(model.parameters, secondInputsT, beta: 0, alpha: PixelScale);
            };

            // Backward: scale·G·(x | 255) over each half's images, summed by the caller. For plain SGD the first
            // half's goes straight into the parameters.
            UpdateWithFirstHalf = () => model.parameters.addmm_(firstScores, firstInputs, beta: 1, alpha: model.productScale);
            GradientOfFirstHalf = () => model.gradient!.addmm_(firstScores, firstInputs, beta: 0, alpha: model.productScale);
            SecondHalfProduct = () => model.secondHalfProduct.addmm_(secondScores, secondInputs, beta: 0, alpha: model.productScale);
        }

        public Tensor Scores { get; }
        public Tensor MinusOnes { get; }
        public Action ScoreFirstHalf { get; }
        public Action ScoreSecondHalf { get; }
        public Action UpdateWithFirstHalf { get; }
        public Action GradientOfFirstHalf { get; }
        public Action SecondHalfProduct { get; }

        /// <summary>Points the halves at this step's images (bytes, n×784). The two views belong to the step's
        /// dispose scope, which frees them when the step ends.</summary>
        public void Load(Tensor pixelBytes)
        {
            firstBytes = pixelBytes.narrow(0, 0, half);
            secondBytes = pixelBytes.narrow(0, half, n - half);
        }

        Tensor View(Tensor view)
        {
            views.Add(view);
            return view;
        }

        public void Dispose()
        {
            foreach (var view in views)
                view.Dispose();
        }
    }
}
