namespace FashionApi.Predictions;

/// <summary>
/// The background of a product photo, estimated from a band along its border, where a garment on a plain ground
/// rarely is: a smooth surface <c>a + b·u + c·v + d·u² + e·v² + f·u·v</c> (u, v from −1 to 1 across the frame), which
/// follows a light fall-off, a gradient or vignetting, fitted by least squares. Border pixels far from the fit (a
/// garment or its shadow reaching the edge, a speck) are left out and the fit repeated, so they do not pull it.
/// </summary>
public sealed class BorderBackground
{
    const int Terms = 6;
    readonly double[] coefficients;
    readonly double halfWidth, halfHeight;

    /// <summary>The typical deviation of the border's pixels from the fit (sensor and JPEG noise), at least 1 level.</summary>
    public double Noise { get; }

    BorderBackground(double[] coefficients, double noise, int width, int height)
    {
        this.coefficients = coefficients;
        Noise = noise;
        halfWidth = width / 2.0;
        halfHeight = height / 2.0;
    }

    /// <summary>The background's level (0–255) at pixel (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public double At(double x, double y)
    {
        double u = (x + 0.5 - halfWidth) / halfWidth, v = (y + 0.5 - halfHeight) / halfHeight;
        var c = coefficients;
        return c[0] + c[1] * u + c[2] * v + c[3] * u * u + c[4] * v * v + c[5] * u * v;
    }

    /// <summary>The level in the middle of the frame.</summary>
    public double Centre => coefficients[0];

    /// <summary>Fits the background of a <paramref name="width"/> × <paramref name="height"/> grey image (row-major).</summary>
    public static BorderBackground Fit(ReadOnlySpan<float> pixels, int width, int height)
    {
        int band = Math.Max(1, Math.Min(width, height) / 40);
        var samples = BorderSamples(pixels, width, height, band);
        var values = samples.Select(s => (double)s.Value).Order().ToArray();
        double median = values[values.Length / 2];

        // Start from the border's median level, keep the pixels near it, fit, and tighten twice around the fit.
        var fit = new double[Terms];
        fit[0] = median;
        double noise = Math.Max(1, 1.4826 * Median(samples.Select(s => Math.Abs(s.Value - median))));
        var model = new BorderBackground(fit, noise, width, height);
        for (int round = 0; round < 3; round++)
        {
            double limit = 3 * model.Noise + 2;
            var inliers = samples.Where(s => Math.Abs(s.Value - model.At(s.X, s.Y)) <= limit).ToList();
            if (inliers.Count < 2 * Terms) break;
            // A side with few pixels left (a garment across it) gives the curvature nothing to hold on to: fit a plane.
            bool curved = BordersCovered(inliers, width, height, band) && Math.Min(width, height) >= 8;
            if (Solve(inliers, width, height, curved ? Terms : 3) is not { } solved) break;
            var next = new BorderBackground(solved, 1, width, height);
            double spread = 1.4826 * Median(inliers.Select(s => Math.Abs(s.Value - next.At(s.X, s.Y))));
            model = new BorderBackground(solved, Math.Max(1, spread), width, height);
        }
        return model;
    }

    readonly record struct Sample(int X, int Y, float Value);

    /// <summary>The pixels of the border band, thinned to a few thousand evenly along it.</summary>
    static List<Sample> BorderSamples(ReadOnlySpan<float> pixels, int width, int height, int band)
    {
        long perimeter = 2L * (width + height) * band;
        int step = (int)Math.Max(1, perimeter / 4000), seen = 0;
        var samples = new List<Sample>();
        for (int y = 0; y < height; y++)
        {
            if (y < band || y >= height - band)
            {
                for (int x = 0; x < width; x++) Add(x, y, pixels);
                continue;
            }
            for (int x = 0; x < Math.Min(band, width); x++) Add(x, y, pixels);
            for (int x = Math.Max(band, width - band); x < width; x++) Add(x, y, pixels);
        }
        return samples;

        void Add(int x, int y, ReadOnlySpan<float> pixels)
        {
            if (seen++ % step == 0) samples.Add(new Sample(x, y, pixels[y * width + x]));
        }
    }

    /// <summary>True when each of the four sides keeps at least a quarter of its samples.</summary>
    static bool BordersCovered(List<Sample> inliers, int width, int height, int band)
    {
        Span<int> sides = stackalloc int[4];
        foreach (var s in inliers)
        {
            if (s.Y < band) sides[0]++;
            if (s.Y >= height - band) sides[1]++;
            if (s.X < band) sides[2]++;
            if (s.X >= width - band) sides[3]++;
        }
        int least = Math.Min(Math.Min(sides[0], sides[1]), Math.Min(sides[2], sides[3]));
        return least * 4 * 4 >= inliers.Count; // each side holds about a quarter of the band when nothing covers it
    }

    /// <summary>Least squares by the normal equations (6 unknowns at most); null when they are singular.</summary>
    static double[]? Solve(List<Sample> samples, int width, int height, int terms)
    {
        var a = new double[terms, terms + 1];
        var basis = new double[Terms];
        double hw = width / 2.0, hh = height / 2.0;
        foreach (var s in samples)
        {
            double u = (s.X + 0.5 - hw) / hw, v = (s.Y + 0.5 - hh) / hh;
            basis[0] = 1; basis[1] = u; basis[2] = v; basis[3] = u * u; basis[4] = v * v; basis[5] = u * v;
            for (int i = 0; i < terms; i++)
            {
                for (int j = 0; j < terms; j++) a[i, j] += basis[i] * basis[j];
                a[i, terms] += basis[i] * s.Value;
            }
        }
        // Gauss–Jordan elimination with partial pivoting.
        for (int col = 0; col < terms; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < terms; row++)
                if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col])) pivot = row;
            if (Math.Abs(a[pivot, col]) < 1e-9 * samples.Count) return null;
            for (int j = 0; j <= terms; j++) (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            for (int row = 0; row < terms; row++)
            {
                if (row == col) continue;
                double factor = a[row, col] / a[col, col];
                for (int j = col; j <= terms; j++) a[row, j] -= factor * a[col, j];
            }
        }
        var solution = new double[Terms];
        for (int i = 0; i < terms; i++) solution[i] = a[i, terms] / a[i, i];
        return solution;
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }
}
