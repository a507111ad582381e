using FashionApi.Predictions;

namespace FashionApi.Tests.Predictions;

public class GarmentRegionsTests
{
    [Fact]
    public void Two_separate_garments_are_two_objects_and_one_garment_is_one()
    {
        const int side = 60;
        var mask = new bool[side * side];
        void Fill(int left, int top, int size)
        {
            for (int y = top; y < top + size; y++)
                for (int x = left; x < left + size; x++) mask[y * side + x] = true;
        }
        Fill(5, 5, 20);
        Assert.Equal(1, GarmentRegions.Find(mask, side, side).Objects);
        Fill(35, 35, 20);
        var two = GarmentRegions.Find(mask, side, side);
        Assert.Equal(2, two.Objects);
        Assert.Equal(new SixLabors.ImageSharp.Rectangle(5, 5, 50, 50), two.Bounds);
    }

    /// <summary>Isolated pixels, every one a region as large as the largest: grouping them pairwise would be quadratic
    /// in their number (25,600 here), so only the largest few are counted.</summary>
    [Fact]
    public void A_mask_of_isolated_pixels_counts_a_bounded_number_of_objects()
    {
        const int side = 320;
        var mask = new bool[side * side];
        for (int y = 0; y < side; y += 2)
            for (int x = 0; x < side; x += 2) mask[y * side + x] = true;
        var regions = GarmentRegions.Find(mask, side, side);
        Assert.Equal(GarmentRegions.MaxObjectsCounted, regions.Objects);
        Assert.NotNull(regions.Bounds);
    }
}
