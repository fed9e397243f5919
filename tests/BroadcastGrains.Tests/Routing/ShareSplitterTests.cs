using System.Text;
using BroadcastGrains.Host.Routing;
using BroadcastGrains.Ingestion;
using CsCheck;
using Xunit;

namespace BroadcastGrains.Tests.Routing;

public sealed class ShareSplitterTests
{
    private static string Record(int i, int pad) =>
        $$$"""{"workspace_id":"ws_{{{i % 7}}}",{{{new string(' ', pad)}}}"generation_id":"gen-{{{i}}}","request":{"model":"m","messages":[{"role":"user","content":"text {{{i}}} ]},"}]},"response":{"choices":[{"message":{"content":"{\"a\":[1]}"}}]}}""";

    [Fact]
    public void Each_share_parses_to_exactly_its_owners_records_in_request_order()
    {
        Gen.Select(Gen.Int[2, 4], Gen.Int[0, 3].Array[2, 40], Gen.Int[0, 3]).Sample((owners, picks, pad) =>
        {
            var ownerOf = picks.Select(p => p % owners).ToArray();
            var body = Encoding.UTF8.GetBytes("[\n" + string.Join(" ,\n ", ownerOf.Select((_, i) => Record(i, pad))) + "\n]");
            var shares = ShareSplitter.Split(body, ownerOf, owners);

            Assert.Equal(owners, shares.Length);
            for (var owner = 0; owner < owners; owner++)
            {
                var expected = Enumerable.Range(0, ownerOf.Length).Where(i => ownerOf[i] == owner).Select(i => $"gen-{i}").ToList();
                if (expected.Count == 0)
                {
                    Assert.Null(shares[owner]);
                    continue;
                }
                var batch = TraceBatchParser.Parse(shares[owner], DateTimeOffset.UnixEpoch);
                Assert.True(batch.IsValid);
                Assert.Equal(expected, batch.Records.Select(r => r.GenerationId));
                Assert.All(batch.Records, r => Assert.Contains("text", Encoding.UTF8.GetString(r.InputJson!)));
            }
        }, iter: 300);
    }

    [Fact]
    public void A_body_with_another_number_of_records_than_owners_given_is_refused()
    {
        var body = Encoding.UTF8.GetBytes("[" + Record(0, 0) + "," + Record(1, 0) + "]");
        Assert.Throws<ArgumentException>(() => ShareSplitter.Split(body, [0, 1, 0], 2));
    }
}
