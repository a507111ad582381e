using SixLabors.ImageSharp;

namespace FashionApi.Predictions;

/// <summary>
/// The garment's part of a foreground mask: its connected regions (8-neighbourhood), without specks of noise, and what
/// they say about the photo (nothing there, several objects, everything touching the frame).
/// </summary>
public sealed class GarmentRegions
{
    /// <summary>Regions smaller than this fraction of the largest one are specks (JPEG ringing, dust), not garment.</summary>
    const double SpeckFraction = 0.02;

    /// <summary>A second region at least this fraction of the largest, apart from it, is another object.</summary>
    const double ObjectFraction = 0.25;

    /// <summary>Only this many of the largest regions are grouped into objects: grouping compares every pair, and a
    /// hostile image of isolated pixels has tens of thousands of equally "large" regions (measured: 1.4 s for a
    /// 496-byte PNG before this bound). More than a handful of objects already means "several".</summary>
    public const int MaxObjectsCounted = 32;

    /// <summary>Per pixel: 1 + the index of its kept region, or 0.</summary>
    public int[] Labels { get; }

    /// <summary>The box around every kept region, in mask pixels; null when nothing was found.</summary>
    public Rectangle? Bounds { get; }

    /// <summary>Groups of large regions apart from each other (at most <see cref="MaxObjectsCounted"/>): more than one
    /// is probably several objects.</summary>
    public int Objects { get; }

    /// <summary>True when the kept regions reach all four edges of the frame.</summary>
    public bool TouchesEveryBorder { get; }

    GarmentRegions(int[] labels, Rectangle? bounds, int objects, bool touchesEveryBorder)
    {
        Labels = labels;
        Bounds = bounds;
        Objects = objects;
        TouchesEveryBorder = touchesEveryBorder;
    }

    public static GarmentRegions Find(ReadOnlySpan<bool> mask, int width, int height)
    {
        var labels = new int[mask.Length];
        var regions = new List<(int Area, Rectangle Box)>();
        var stack = new Stack<int>();
        for (int start = 0; start < mask.Length; start++)
        {
            if (!mask[start] || labels[start] != 0) continue;
            int label = regions.Count + 1, area = 0;
            int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
            labels[start] = label;
            stack.Push(start);
            while (stack.TryPop(out int at))
            {
                int x = at % width, y = at / width;
                area++;
                left = Math.Min(left, x); right = Math.Max(right, x);
                top = Math.Min(top, y); bottom = Math.Max(bottom, y);
                for (int ny = Math.Max(0, y - 1); ny <= Math.Min(height - 1, y + 1); ny++)
                    for (int nx = Math.Max(0, x - 1); nx <= Math.Min(width - 1, x + 1); nx++)
                    {
                        int next = ny * width + nx;
                        if (mask[next] && labels[next] == 0)
                        {
                            labels[next] = label;
                            stack.Push(next);
                        }
                    }
            }
            regions.Add((area, Rectangle.FromLTRB(left, top, right + 1, bottom + 1)));
        }
        if (regions.Count == 0) return new GarmentRegions(labels, null, 0, false);

        int largest = regions.Max(r => r.Area);
        var kept = new bool[regions.Count + 1];
        Rectangle? bounds = null;
        for (int i = 0; i < regions.Count; i++)
        {
            if (regions[i].Area < SpeckFraction * largest) continue;
            kept[i + 1] = true;
            bounds = bounds is { } b ? Rectangle.Union(b, regions[i].Box) : regions[i].Box;
        }
        for (int i = 0; i < labels.Length; i++)
            if (!kept[labels[i]]) labels[i] = 0;

        // Large regions whose boxes overlap, directly or through others, are parts of one object (a sandal's straps,
        // the two shoes of a pair); groups that do not overlap are separate objects.
        var large = regions.Where(r => r.Area >= ObjectFraction * largest).OrderByDescending(r => r.Area)
            .Take(MaxObjectsCounted).Select(r => r.Box).ToList();
        var group = new int[large.Count];
        int objects = 0;
        for (int first = 0; first < large.Count; first++)
        {
            if (group[first] != 0) continue;
            group[first] = ++objects;
            var pending = new Stack<int>([first]);
            while (pending.TryPop(out int member))
                for (int other = 0; other < large.Count; other++)
                    if (group[other] == 0 && large[other].IntersectsWith(large[member]))
                    {
                        group[other] = objects;
                        pending.Push(other);
                    }
        }
        var all = bounds!.Value;
        bool everyBorder = all.Left == 0 && all.Top == 0 && all.Right == width && all.Bottom == height;
        return new GarmentRegions(labels, bounds, objects, everyBorder);
    }
}
