using SixLabors.ImageSharp;

namespace FashionApi.Predictions;

/// <summary>
/// Finds how far a photographed garment is tilted. Product photos (and the dataset made from them) show garments
/// upright, trimmed tight to a box: a tilted garment needs a larger box than the same garment upright. So the tilt is the
/// angle, within ±<see cref="MaxDegrees"/>, whose rotated box around the garment is smallest, taken only when it is
/// clearly smaller than the upright one (a garment that is not rectangular at all, such as a sandal, is left alone).
/// </summary>
public static class Deskew
{
    public const double MaxDegrees = 12;
    const double StepDegrees = 0.5;

    /// <summary>How much smaller the turned box must be than the upright one (2 %, which scored better on tilted
    /// photos than 4 % and cost nothing measurable on upright ones).</summary>
    const double MinimumGain = 0.02;

    /// <summary>The garment's tilt in degrees (clockwise positive, as ImageSharp rotates), or 0.</summary>
    /// <param name="labels">Per pixel of a mask: non-zero on the garment.</param>
    /// <param name="width">The mask's width.</param>
    /// <param name="box">The box around the garment in that mask.</param>
    public static double Angle(int[] labels, int width, Rectangle box)
    {
        // The outline is enough: the first and last garment pixel of every row and column.
        var outline = new List<(double X, double Y)>();
        for (int y = box.Top; y < box.Bottom; y++)
        {
            int first = -1, last = -1;
            for (int x = box.Left; x < box.Right; x++)
                if (labels[y * width + x] != 0) { if (first < 0) first = x; last = x; }
            if (first >= 0) { outline.Add((first, y)); outline.Add((last + 1, y)); }
        }
        for (int x = box.Left; x < box.Right; x++)
        {
            int first = -1, last = -1;
            for (int y = box.Top; y < box.Bottom; y++)
                if (labels[y * width + x] != 0) { if (first < 0) first = y; last = y; }
            if (first >= 0) { outline.Add((x, first)); outline.Add((x, last + 1)); }
        }
        if (outline.Count < 8) return 0;

        double upright = Area(outline, 0), best = upright, bestAngle = 0;
        for (double degrees = -MaxDegrees; degrees <= MaxDegrees; degrees += StepDegrees)
        {
            double area = Area(outline, degrees);
            if (area < best) (best, bestAngle) = (area, degrees);
        }
        return best < (1 - MinimumGain) * upright ? bestAngle : 0;
    }

    /// <summary>The area of the box around the points in axes turned by <paramref name="degrees"/>.</summary>
    static double Area(List<(double X, double Y)> points, double degrees)
    {
        double radians = degrees * Math.PI / 180, cos = Math.Cos(radians), sin = Math.Sin(radians);
        double minU = double.MaxValue, maxU = double.MinValue, minV = double.MaxValue, maxV = double.MinValue;
        foreach (var (x, y) in points)
        {
            double u = x * cos + y * sin, v = -x * sin + y * cos;
            minU = Math.Min(minU, u); maxU = Math.Max(maxU, u);
            minV = Math.Min(minV, v); maxV = Math.Max(maxV, v);
        }
        return (maxU - minU) * (maxV - minV);
    }
}
