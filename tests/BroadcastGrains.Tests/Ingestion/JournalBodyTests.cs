using System.Buffers;
using System.Text;
using BroadcastGrains.Host.Ingestion;
using BroadcastGrains.Ingestion;
using BroadcastGrains.Traces;
using CsCheck;
using Keep = BroadcastGrains.Host.Ingestion.JournalBody.Keep;

namespace BroadcastGrains.Tests.Ingestion;

public class JournalBodyTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static string Record(int i, string text, bool prompt = false)
    {
        var input = prompt ? $"\"prompt\": \"{text} p\"" : "\"messages\": [{\"role\": \"user\", \"content\": \"" + text + " in\"}]";
        return $$$"""
        {"workspace_id": "ws_{{{i % 3}}}", "generation_id": "gen-{{{i}}}", "created_at": "2026-11-26T12:00:00.000Z",
         "request": {"model": "m", {{{input}}},
                     "user": "u{{{i}}}", "session_id": "s", "trace": {"feature": "f{{{i}}}", "nested": {"messages": "meta stays"} } },
         "response": {"model": "m2", "choices": [{"index": 0, "message": {"role": "assistant", "content": "{{{text}}} out"}, "finish_reason": "stop"},
                                                 {"index": 1, "message": null}],
                      "usage": {"prompt_tokens": 3, "completion_tokens": 4, "cost": 0.5}},
         "latency_ms": 12, "status": 200}
        """;
    }

    private static (bool Rewritten, string Json, TraceBatch Batch) Run(string body, params Keep[] keep)
    {
        var output = new ArrayBufferWriter<byte>();
        var rewritten = JournalBody.Rewrite(Encoding.UTF8.GetBytes(body), keep, output, out var records);
        var json = Encoding.UTF8.GetString(output.WrittenSpan);
        var batch = rewritten ? TraceBatchParser.Parse(output.WrittenSpan, ReceivedAt) : TraceBatchParser.Parse(Encoding.UTF8.GetBytes(body), ReceivedAt);
        Assert.True(batch.IsValid, json);
        if (rewritten) Assert.Equal(records, batch.Records.Count);
        return (rewritten, json, batch);
    }

    [Fact]
    public void A_body_whose_records_are_all_kept_whole_is_stored_as_it_is()
    {
        var (rewritten, json, _) = Run("[" + Record(0, "A") + "," + Record(1, "B") + "]", Keep.Whole, Keep.Whole);
        Assert.False(rewritten);
        Assert.Empty(json);
    }

    [Fact]
    public void Records_without_text_lose_messages_prompt_and_choice_messages_and_nothing_else()
    {
        var body = "[" + Record(0, "SECRET0") + "," + Record(1, "KEEP1") + "," + Record(2, "SECRET2", prompt: true) + "," + Record(3, "GONE3") + "]";
        var (rewritten, json, batch) = Run(body, Keep.WithoutText, Keep.Whole, Keep.WithoutText, Keep.Nothing);

        Assert.True(rewritten);
        Assert.DoesNotContain("SECRET", json);
        Assert.DoesNotContain("GONE", json);
        Assert.Contains("KEEP1 in", json);
        Assert.Contains("meta stays", json); // trace metadata is not prompt text
        Assert.Equal(["gen-0", "gen-1", "gen-2"], batch.Records.Select(r => r.GenerationId));

        var original = TraceBatchParser.Parse(Encoding.UTF8.GetBytes(body), ReceivedAt).Records;
        foreach (var (stripped, whole) in new[] { (batch.Records[0], original[0]), (batch.Records[2], original[2]) })
        {
            Assert.Null(stripped.InputJson);
            Assert.Null(stripped.OutputChoicesJson);
            Assert.Equal(whole.StopReason, stripped.StopReason);
            Assert.Equal(whole.User, stripped.User);
            Assert.Equal(whole.Cost, stripped.Cost);
            Assert.Equal(whole.TraceJson, stripped.TraceJson);
            Assert.Equal(whole.Timestamp, stripped.Timestamp);
        }
        Assert.Equal(original[1].InputJson, batch.Records[1].InputJson);
        Assert.Equal(original[1].OutputChoicesJson, batch.Records[1].OutputChoicesJson);
    }

    [Fact]
    public void A_single_record_body_becomes_an_array()
    {
        var (_, json, batch) = Run(Record(7, "SECRET"), Keep.WithoutText);
        Assert.StartsWith("[", json);
        Assert.DoesNotContain("SECRET", json);
        Assert.Equal("gen-7", Assert.Single(batch.Records).GenerationId);
    }

    [Fact]
    public void Nothing_kept_is_an_empty_array()
    {
        var (_, json, batch) = Run(Record(7, "SECRET"), Keep.Nothing);
        Assert.Equal("[]", json);
        Assert.Empty(batch.Records);
    }

    [Fact]
    public void Escaped_property_names_are_recognised_like_the_parser_does()
    {
        var body = """{"workspace_id":"ws_1","generation_id":"g","request":{"model":"m","\u006dessages":[{"role":"user","content":"SECRET"}]},"response":{"choices":[{"m\u0065ssage":{"content":"SECRET"},"finish_reason":"stop"}]}}""";
        var (_, json, batch) = Run(body, Keep.WithoutText);
        Assert.DoesNotContain("SECRET", json);
        Assert.Equal("stop", Assert.Single(batch.Records).StopReason);
    }

    [Fact]
    public void Any_mix_of_records_and_decisions_replays_to_the_kept_records_with_no_private_text()
    {
        var decision = Gen.Enum<Keep>();
        var record = Gen.Select(Gen.Int[0, 1000], Gen.Bool, decision, Gen.Int[0, 3]);
        Gen.Select(record.Array[1, 12], Gen.Bool).Sample((records, single) =>
        {
            if (single) records = records[..1];
            var texts = records.Select((r, i) => $"T{i}X{r.Item1}").ToArray();
            var json = records.Select((r, i) => Record(i, texts[i], r.Item2).Replace("  ", new string(' ', r.Item4))).ToArray();
            var body = single ? json[0] : "[" + string.Join(",\n", json) + "]";
            var keep = records.Select(r => r.Item3).ToArray();
            var (rewritten, output, batch) = Run(body, keep);

            var expected = Enumerable.Range(0, records.Length).Where(i => keep[i] != Keep.Nothing).Select(i => $"gen-{i}").ToList();
            Assert.Equal(expected, batch.Records.Select(r => r.GenerationId));
            Assert.Equal(keep.Any(k => k != Keep.Whole), rewritten);
            for (var i = 0; i < records.Length; i++)
            {
                if (rewritten && keep[i] != Keep.Whole) Assert.DoesNotContain(texts[i] + " ", output);
            }
            foreach (var r in batch.Records)
            {
                var i = int.Parse(r.GenerationId[4..]);
                Assert.Equal(keep[i] == Keep.Whole, r.InputJson is not null);
                Assert.Equal(keep[i] == Keep.Whole, r.OutputChoicesJson is not null);
                Assert.Equal("stop", r.StopReason);
            }
        }, iter: 300);
    }
}
