using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>
/// A minimal OpenTelemetry collector: it listens for OTLP over HTTP (protobuf) on loopback, as Jaeger or the
/// OpenTelemetry Collector would, and keeps the spans it is sent. Only the fields the tests read are decoded.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<ReceivedSpan> _spans = [];
    private readonly Task _loop;

    private OtlpReceiver(int port)
    {
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add($"{Endpoint}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Endpoint { get; }

    /// <summary>The settings that point a program's exporter here, as command-line configuration.</summary>
    public IEnumerable<string> ProgramArguments =>
    [
        $"--OTEL_EXPORTER_OTLP_ENDPOINT={Endpoint}",
        "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
        // Export a batch every 100 ms instead of every 5 s, so the test waits for less.
        "--OTEL_BSP_SCHEDULE_DELAY=100",
    ];

    public static OtlpReceiver Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new OtlpReceiver(port);
    }

    public IReadOnlyList<ReceivedSpan> Spans()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener was closed under the loop: that is how it stops.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            var input = context.Request.Headers["Content-Encoding"] == "gzip"
                ? new GZipStream(context.Request.InputStream, CompressionMode.Decompress)
                : context.Request.InputStream;
            await input.CopyToAsync(body);
            if (context.Request.Url?.AbsolutePath == "/v1/traces")
            {
                var spans = DecodeTraces(body.ToArray());
                lock (_spans)
                {
                    _spans.AddRange(spans);
                }
            }

            // An empty Export*ServiceResponse is zero bytes of protobuf.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    private static List<ReceivedSpan> DecodeTraces(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1)
            {
                continue;
            }

            // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
            var service = "";
            var scopes = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1)
                {
                    // Resource { repeated KeyValue attributes = 1; }
                    var attributes = Attributes(Fields(value).Where(a => a.Field == 1).Select(a => a.Value));
                    service = attributes.GetValueOrDefault("service.name", "");
                }
                else if (f == 2)
                {
                    scopes.Add(value);
                }
            }

            // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
            foreach (var span in scopes.SelectMany(s => Fields(s).Where(f => f.Field == 2).Select(f => f.Value)))
            {
                spans.Add(DecodeSpan(service, span));
            }
        }

        return spans;
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; repeated KeyValue attributes = 9; }
    private static ReceivedSpan DecodeSpan(string service, byte[] span)
    {
        var fields = Fields(span).ToList();
        byte[] One(int field) => fields.FirstOrDefault(f => f.Field == field).Value ?? [];
        return new ReceivedSpan(
            service,
            Convert.ToHexStringLower(One(1)),
            Convert.ToHexStringLower(One(2)),
            Convert.ToHexStringLower(One(4)),
            Encoding.UTF8.GetString(One(5)),
            Attributes(fields.Where(f => f.Field == 9).Select(f => f.Value)));
    }

    // KeyValue { string key = 1; AnyValue value = 2; }  AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3; }
    private static Dictionary<string, string> Attributes(IEnumerable<byte[]> keyValues)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in keyValues)
        {
            string? key = null;
            string value = "";
            foreach (var (f, bytes) in Fields(keyValue))
            {
                if (f == 1)
                {
                    key = Encoding.UTF8.GetString(bytes);
                }
                else if (f == 2)
                {
                    foreach (var (kind, raw) in Fields(bytes))
                    {
                        value = kind switch
                        {
                            1 => Encoding.UTF8.GetString(raw),
                            2 or 3 => BitConverter.ToInt64(raw).ToString(System.Globalization.CultureInfo.InvariantCulture),
                            _ => value,
                        };
                    }
                }
            }

            if (key is not null)
            {
                attributes[key] = value;
            }
        }

        return attributes;
    }

    /// <summary>
    /// The fields of one protobuf message in order. Length-delimited fields yield their bytes; varints yield their
    /// value as 8 little-endian bytes; fixed-width fields their raw bytes.
    /// </summary>
    private static IEnumerable<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = Varint(message, ref position);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    yield return (field, BitConverter.GetBytes(Varint(message, ref position)));
                    break;
                case 1:
                    yield return (field, message[position..(position + 8)]);
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    yield return (field, message[position..(position + length)]);
                    position += length;
                    break;
                case 5:
                    yield return (field, message[position..(position + 4)]);
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {tag & 7} is not used by OTLP");
            }
        }
    }

    private static ulong Varint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
