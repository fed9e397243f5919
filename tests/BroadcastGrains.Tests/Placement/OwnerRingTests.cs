using BroadcastGrains.Grains.Placement;
using CsCheck;
using Xunit;

namespace BroadcastGrains.Tests.Placement;

public sealed class OwnerRingTests
{
    private static readonly string[] Workspaces = Enumerable.Range(0, 4000).Select(i => $"ws_{i:x}_tenant").ToArray();

    private static ulong Owner(string workspace, ulong[] silos) => silos[OwnerRing.OwnerIndex(OwnerRing.WorkspaceHash(workspace), silos)];

    private static readonly Gen<ulong[]> Silos = Gen.UInt.Select(OwnerRing.SiloHash).HashSet[1, 7].Select(s => s.ToArray());

    [Fact]
    public void The_owner_does_not_depend_on_the_order_in_which_the_silos_are_listed()
    {
        Gen.Select(Silos, Gen.String[1, 40], Gen.Int).Sample((silos, workspace, seed) =>
        {
            var shuffled = silos.OrderBy(_ => new Random(seed).Next()).ToArray();
            Assert.Equal(Owner(workspace, silos), Owner(workspace, shuffled));
        }, iter: 500);
    }

    [Fact]
    public void A_joining_silo_takes_about_one_share_and_nothing_moves_between_the_others()
    {
        Gen.Select(Silos, Gen.UInt).Sample((silos, joinerSeed) =>
        {
            var joiner = OwnerRing.SiloHash(joinerSeed);
            if (silos.Contains(joiner)) return;
            var grown = silos.Append(joiner).ToArray();
            var moved = 0;
            foreach (var ws in Workspaces)
            {
                var before = Owner(ws, silos);
                var after = Owner(ws, grown);
                if (before == after) continue;
                Assert.Equal(joiner, after);
                moved++;
            }
            // Expected Workspaces/(N+1); a binomial count of 4000 stays well inside ±35 % of it.
            var expected = (double)Workspaces.Length / grown.Length;
            Assert.InRange(moved, expected * 0.65, expected * 1.35);
        }, iter: 40);
    }

    [Fact]
    public void A_leaving_silo_hands_on_only_its_own_workspaces()
    {
        Gen.Select(Silos.Where(s => s.Length >= 2), Gen.Int).Sample((silos, pick) =>
        {
            var gone = silos[(int)((uint)pick % silos.Length)];
            var shrunk = silos.Where(s => s != gone).ToArray();
            foreach (var ws in Workspaces)
            {
                var before = Owner(ws, silos);
                if (before != gone) Assert.Equal(before, Owner(ws, shrunk));
            }
        }, iter: 40);
    }

    [Fact]
    public void Workspaces_spread_evenly_over_the_silos()
    {
        Silos.Where(s => s.Length >= 2).Sample(silos =>
        {
            var counts = Workspaces.GroupBy(ws => Owner(ws, silos)).ToDictionary(g => g.Key, g => g.Count());
            var fair = (double)Workspaces.Length / silos.Length;
            foreach (var silo in silos) Assert.InRange(counts.GetValueOrDefault(silo), fair * 0.7, fair * 1.3);
        }, iter: 40);
    }

    [Theory]
    [InlineData("ws_1", "ws_1")]
    [InlineData("ws_1/dst_2", "ws_1")]
    [InlineData("ws_1/", "ws_1")]
    public void The_workspace_of_a_grain_key_is_what_precedes_the_first_slash(string key, string workspace) =>
        Assert.Equal(workspace, OwnerRing.WorkspaceOfKey(key).ToString());

    [Fact]
    public void A_destination_is_owned_where_its_workspace_is()
    {
        var silos = new[] { OwnerRing.SiloHash(1), OwnerRing.SiloHash(2), OwnerRing.SiloHash(3) };
        foreach (var ws in Workspaces.Take(200))
            Assert.Equal(Owner(ws, silos), Owner(OwnerRing.WorkspaceOfKey(ws + "/dst_x").ToString(), silos));
    }
}
