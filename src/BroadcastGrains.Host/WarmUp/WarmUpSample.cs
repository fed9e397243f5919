using System.Text;

namespace BroadcastGrains.Host.WarmUp;

/// <summary>
/// A request body like the gateway's: chat-completion traces with messages, a reply, usage and trace metadata, in
/// sizes that vary so that the parser and mapper meet the branches real load takes. Built once at start.
/// </summary>
public static class WarmUpSample
{
    /// <summary>Only parsed and mapped, never routed or stored: whichever tenant may have this id, nothing of it is touched.</summary>
    public const string Workspace = "warmup-broadcastgrains";

    public static byte[] Body(int records)
    {
        var sb = new StringBuilder(records * 1600).Append('[');
        for (var i = 0; i < records; i++)
        {
            if (i > 0) sb.Append(',');
            var text = new string('x', 40 + i % 7 * 60);
            sb.Append($$$"""
                {"workspace_id":"{{{Workspace}}}","generation_id":"gen-warmup-{{{i}}}","created_at":"2026-11-26T12:00:00.000Z",
                 "request":{"model":"openai/gpt-4o","messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"{{{text}}}"}],
                  "user":"user_{{{i % 13}}}","session_id":"session_{{{i % 5}}}",
                  "trace":{"trace_name":"Warm-up","generation_name":"Generate","feature":"warmup","ab_test_group":"variant_{{{i % 2}}}","depth":{"a":{"b":[1,2,3]} } },
                  "temperature":0.7,"max_tokens":500,"stream":false,"tools":[]},
                 "response":{"id":"gen-warmup-{{{i}}}","model":"openai/gpt-4o-2024-08-06","provider":"OpenAI",
                  "choices":[{"index":0,"message":{"role":"assistant","content":"{{{text}}} reply"},"finish_reason":"stop"}],
                  "usage":{"prompt_tokens":194,"completion_tokens":52,"total_tokens":246,"cost":0.00123,
                   "prompt_tokens_details":{"cached_tokens":{{{i % 3}}},"cache_write_tokens":0},"completion_tokens_details":{"reasoning_tokens":0} } },
                 "provider":"OpenAI","latency_ms":{{{1000 + i}}},"time_to_first_token_ms":210,"status":200,"error":{{{(i % 17 == 0 ? "\"timeout\"" : "null")}}} }
                """);
        }
        return Encoding.UTF8.GetBytes(sb.Append(']').ToString());
    }
}
