using FashionApi.Dataset;

namespace FashionApi.Softmax;

/// <summary>Scores trained weights on the test set through the forward pass that serves predictions, so the
/// accuracy reported is the accuracy served.</summary>
public static class ModelEvaluator
{
    public static Evaluation Evaluate(ModelWeights weights, FashionMnistSplit test)
    {
        int[] predicted = new SoftmaxClassifier(weights).PredictLabels(test.Pixels);
        var confusion = new int[FashionMnist.ClassCount][];
        for (int c = 0; c < confusion.Length; c++) confusion[c] = new int[FashionMnist.ClassCount];
        for (int i = 0; i < test.Count; i++)
            confusion[test.Labels[i]][predicted[i]]++;

        var perClass = new Dictionary<string, double>();
        for (int c = 0; c < FashionMnist.ClassCount; c++)
            perClass[FashionMnist.ClassNames[c]] = confusion[c][c] / (double)Math.Max(1, confusion[c].Sum());
        double accuracy = Enumerable.Range(0, FashionMnist.ClassCount).Sum(c => confusion[c][c]) / (double)test.Count;
        return new Evaluation(accuracy, perClass, confusion);
    }
}
