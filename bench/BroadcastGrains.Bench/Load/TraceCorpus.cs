using System.Buffers;
using System.Text.Json;

namespace BroadcastGrains.Bench.Load;

/// <summary>
/// Builds realistic ingest bodies: chat-completions records of 1–2 KB with a system and user message, an
/// assistant reply, usage with cached and reasoning tokens, cost, and trace metadata (user, session, names,
/// feature flags). Deterministic for a seed (timestamps aside), so every run sends the same shapes.
/// </summary>
public static class TraceCorpus
{
    private static readonly (string Model, string ResponseModel, string Provider)[] Models =
    [
        ("openai/gpt-4o", "openai/gpt-4o-2024-08-06", "OpenAI"),
        ("openai/gpt-4o-mini", "openai/gpt-4o-mini-2024-07-18", "OpenAI"),
        ("anthropic/claude-3.5-sonnet", "anthropic/claude-3.5-sonnet-20241022", "Anthropic"),
        ("google/gemini-1.5-pro", "google/gemini-1.5-pro-002", "Google"),
        ("meta-llama/llama-3.1-70b-instruct", "meta-llama/llama-3.1-70b-instruct", "DeepInfra"),
    ];

    private static readonly string[] Features = ["shopping-assistant", "support-bot", "search-summary", "code-review", "email-draft"];
    private static readonly string[] TraceNames = ["Product Recommendations", "Ticket Triage", "Search Answer", "Review Comments", "Draft Reply"];
    private static readonly string[] Words =
    [
        "the", "customer", "wants", "a", "product", "that", "fits", "their", "budget", "and", "ships", "quickly", "please",
        "recommend", "three", "options", "with", "prices", "compare", "features", "battery", "life", "warranty", "return",
        "policy", "order", "status", "delivery", "address", "invoice", "refund", "account", "password", "reset", "error",
        "message", "when", "trying", "to", "log", "in", "from", "mobile", "app", "summarise", "this", "thread", "in",
        "two", "sentences", "for", "the", "manager", "review", "pull", "request", "focus", "on", "concurrency", "bugs",
        "memory", "leaks", "and", "naming", "write", "a", "polite", "follow-up", "email", "about", "the", "meeting",
        "next", "tuesday", "include", "agenda", "items", "budget", "timeline", "risks", "owners", "café", "naïve", "über",
    ];

    private const string SystemPrompt = "You are a helpful assistant for an online store. Answer briefly and accurately.";

    public static RequestTemplate[] Build(int templates, int recordsPerRequest, int seed = 42)
    {
        var random = new Random(seed);
        var result = new RequestTemplate[templates];
        for (var t = 0; t < templates; t++) result[t] = BuildOne(random, recordsPerRequest);
        return result;
    }

    private static RequestTemplate BuildOne(Random random, int records)
    {
        var buffer = new ArrayBufferWriter<byte>(records * 2048 + 64);
        var workspaceDigits = new int[records];
        var generationDigits = new int[records];
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartArray();
            for (var i = 0; i < records; i++)
            {
                var target = random.Next(1024, 2048);
                var shape = RecordShape.Draw(random, target);
                WriteRecord(writer, buffer, shape, out workspaceDigits[i], out generationDigits[i]);
            }
            writer.WriteEndArray();
        }
        return new RequestTemplate(buffer.WrittenSpan.ToArray(), workspaceDigits, generationDigits);
    }

    private static void WriteRecord(Utf8JsonWriter w, ArrayBufferWriter<byte> buffer, RecordShape s, out int workspaceAt, out int generationAt)
    {
        var zeroWs = new string('0', BenchNames.WorkspaceDigits);
        var zeroGen = new string('0', BenchNames.GenerationDigits);
        w.WriteStartObject();
        w.WriteString("workspace_id", BenchNames.WorkspacePrefix + zeroWs);
        workspaceAt = DigitsEndingBeforeClosingQuote(w, buffer, BenchNames.WorkspaceDigits);
        w.WriteString("generation_id", BenchNames.GenerationPrefix + zeroGen);
        generationAt = DigitsEndingBeforeClosingQuote(w, buffer, BenchNames.GenerationDigits);
        w.WriteString("created_at", s.CreatedAt);

        w.WriteStartObject("request");
        w.WriteString("model", s.Model.Model);
        w.WriteStartArray("messages");
        Message(w, "system", SystemPrompt);
        Message(w, "user", s.UserText);
        w.WriteEndArray();
        w.WriteString("user", s.User);
        w.WriteString("session_id", s.Session);
        w.WriteStartObject("trace");
        w.WriteString("trace_id", s.TraceId);
        w.WriteString("trace_name", s.TraceName);
        w.WriteString("generation_name", "Generate Answer");
        w.WriteString("feature", s.Feature);
        w.WriteString("ab_test_group", s.Variant);
        w.WriteNumber("customer_tier", s.Tier);
        w.WriteEndObject();
        w.WriteNumber("temperature", 0.7);
        w.WriteNumber("max_tokens", 500);
        w.WriteBoolean("stream", false);
        w.WriteStartArray("tools");
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartObject("response");
        w.WriteString("id", s.ResponseId);
        w.WriteString("model", s.Model.ResponseModel);
        w.WriteString("provider", s.Model.Provider);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WritePropertyName("message");
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        w.WriteString("content", s.AssistantText);
        w.WriteEndObject();
        w.WriteString("finish_reason", "stop");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", s.PromptTokens);
        w.WriteNumber("completion_tokens", s.CompletionTokens);
        w.WriteNumber("total_tokens", s.PromptTokens + s.CompletionTokens);
        w.WriteNumber("cost", s.Cost);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", s.CachedTokens);
        w.WriteNumber("cache_write_tokens", 0);
        w.WriteEndObject();
        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", 0);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteString("provider", s.Model.Provider);
        w.WriteNumber("latency_ms", s.LatencyMs);
        w.WriteNumber("time_to_first_token_ms", s.TtftMs);
        w.WriteNumber("status", 200);
        w.WriteNull("error");
        w.WriteEndObject();
    }

    private static void Message(Utf8JsonWriter w, string role, string content)
    {
        w.WriteStartObject();
        w.WriteString("role", role);
        w.WriteString("content", content);
        w.WriteEndObject();
    }

    /// <summary>After a string value is written and flushed, its last byte is the closing quote.</summary>
    private static int DigitsEndingBeforeClosingQuote(Utf8JsonWriter w, ArrayBufferWriter<byte> buffer, int digits)
    {
        w.Flush();
        return buffer.WrittenCount - 1 - digits;
    }

    private sealed record RecordShape(
        (string Model, string ResponseModel, string Provider) Model,
        string CreatedAt, string User, string Session, string TraceId, string TraceName, string Feature, string Variant,
        int Tier, string ResponseId, string UserText, string AssistantText,
        int PromptTokens, int CompletionTokens, int CachedTokens, double Cost, int LatencyMs, int TtftMs)
    {
        /// <summary>What a record costs without its two free texts; measured once, close enough to size by.</summary>
        private const int Skeleton = 1150;

        public static RecordShape Draw(Random r, int targetBytes)
        {
            var text = Math.Max(80, targetBytes - Skeleton);
            var userChars = text * 55 / 100;
            var prompt = 40 + userChars / 4;
            var completion = 20 + (text - userChars) / 4;
            var cost = Math.Round(prompt * 2.5e-6 + completion * 1e-5, 6);
            var model = Models[r.Next(Models.Length)];
            var feature = r.Next(Features.Length);
            return new RecordShape(
                model,
                DateTimeOffset.UtcNow.AddSeconds(-r.Next(0, 3600)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                "user_" + r.Next(1, 100_000),
                "session_" + Hex(r, 16),
                "trace-" + Hex(r, 32),
                TraceNames[feature],
                Features[feature],
                r.Next(2) == 0 ? "control" : "variant_b",
                r.Next(1, 4),
                "chatcmpl-" + Hex(r, 24),
                Text(r, userChars),
                Text(r, text - userChars),
                prompt, completion, r.Next(0, 3) == 0 ? prompt / 2 : 0, cost,
                r.Next(300, 4000), r.Next(80, 600));
        }

        private static string Hex(Random r, int chars)
        {
            Span<byte> bytes = stackalloc byte[(chars + 1) / 2];
            r.NextBytes(bytes);
            return Convert.ToHexStringLower(bytes)[..chars];
        }

        private static string Text(Random r, int chars)
        {
            var sb = new System.Text.StringBuilder(chars + 16);
            while (sb.Length < chars)
            {
                if (sb.Length > 0) sb.Append(' ');
                sb.Append(Words[r.Next(Words.Length)]);
            }
            sb.Length = chars;
            return sb.ToString();
        }
    }
}
