using System.Globalization;
using System.Text.Json;

namespace GridQueue.Server.Tests.OpenApi;

/// <summary>
/// Checks a JSON value against a schema of an OpenAPI document, for the subset of JSON Schema the server's document
/// uses: $ref (to #/components/schemas), type (one or a list, "null" included), nullable (OpenAPI 3.0), enum,
/// object (properties, required, additionalProperties), array (items, maxItems), oneOf / anyOf, minimum / maximum,
/// minLength / maxLength and format date-time. An object schema with properties and no additionalProperties is
/// taken as closed: a property it does not list is an error, so a field the server sends but the document forgets
/// fails as surely as a documented field the server leaves out.
/// </summary>
public sealed class SchemaChecker(JsonElement document)
{
    private const string ComponentPrefix = "#/components/schemas/";

    /// <summary>Every mismatch, each with the JSON path where it is; empty when the value fits.</summary>
    public IReadOnlyList<string> Check(JsonElement schema, JsonElement value)
    {
        var errors = new List<string>();
        Check(schema, value, "$", errors);
        return errors;
    }

    /// <summary>Keywords this checker does not check: a schema that uses one fails loudly rather than passing unchecked.</summary>
    private static readonly string[] Unsupported = ["allOf", "not", "if", "const", "pattern", "patternProperties", "prefixItems", "minItems", "uniqueItems"];

    private void Check(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        if (Unsupported.FirstOrDefault(k => schema.TryGetProperty(k, out _)) is { } keyword)
        {
            throw new NotSupportedException($"The schema at {path} uses '{keyword}', which this checker does not check: {schema.GetRawText()}");
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            Check(Resolve(reference.GetString()!), value, path, errors);
            return;
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var fits = oneOf.EnumerateArray().Count(s => Check(s, value).Count == 0);
            if (fits != 1)
            {
                errors.Add($"{path}: fits {fits} of the oneOf schemas, not exactly one: {Show(value)}");
            }

            return;
        }

        if (schema.TryGetProperty("anyOf", out var anyOf) && !anyOf.EnumerateArray().Any(s => Check(s, value).Count == 0))
        {
            errors.Add($"{path}: fits none of the anyOf schemas: {Show(value)}");
            return;
        }

        if (!TypeFits(schema, value, out var expected))
        {
            errors.Add($"{path}: expected {expected}, got {value.ValueKind}: {Show(value)}");
            return;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
        {
            errors.Add($"{path}: {Show(value)} is not one of {allowed.GetRawText()}");
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                CheckObject(schema, value, path, errors);
                break;
            case JsonValueKind.Array:
                CheckArray(schema, value, path, errors);
                break;
            case JsonValueKind.Number:
                CheckNumber(schema, value, path, errors);
                break;
            case JsonValueKind.String:
                CheckString(schema, value.GetString()!, path, errors);
                break;
        }
    }

    private void CheckObject(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        var hasProperties = schema.TryGetProperty("properties", out var properties);
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(n => n.GetString()!))
            {
                if (!value.TryGetProperty(name, out _))
                {
                    errors.Add($"{path}: the required property '{name}' is missing");
                }
            }
        }

        var hasAdditional = schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var property in value.EnumerateObject())
        {
            var at = $"{path}.{property.Name}";
            if (hasProperties && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                Check(propertySchema, property.Value, at, errors);
            }
            else if (hasAdditional && additional.ValueKind == JsonValueKind.Object)
            {
                Check(additional, property.Value, at, errors);
            }
            else if (hasProperties || (hasAdditional && additional.ValueKind == JsonValueKind.False))
            {
                errors.Add($"{at}: the schema does not document this property");
            }
        }
    }

    private void CheckArray(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        if (schema.TryGetProperty("maxItems", out var maxItems) && value.GetArrayLength() > maxItems.GetInt32())
        {
            errors.Add($"{path}: {value.GetArrayLength()} items, more than {maxItems.GetInt32()}");
        }

        if (schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(items, item, $"{path}[{index++}]", errors);
            }
        }
    }

    private static void CheckNumber(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        var number = value.GetDecimal();
        if (schema.TryGetProperty("minimum", out var minimum) && number < Limit(minimum))
        {
            errors.Add($"{path}: {number} is below the minimum {minimum}");
        }

        if (schema.TryGetProperty("maximum", out var maximum) && number > Limit(maximum))
        {
            errors.Add($"{path}: {number} is above the maximum {maximum}");
        }
    }

    private static void CheckString(JsonElement schema, string text, string path, List<string> errors)
    {
        if (schema.TryGetProperty("minLength", out var minLength) && text.Length < minLength.GetInt32())
        {
            errors.Add($"{path}: shorter than {minLength.GetInt32()} characters");
        }

        if (schema.TryGetProperty("maxLength", out var maxLength) && text.Length > maxLength.GetInt32())
        {
            errors.Add($"{path}: longer than {maxLength.GetInt32()} characters");
        }

        if (schema.TryGetProperty("format", out var format) && format.GetString() == "date-time"
            && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
        {
            errors.Add($"{path}: '{text}' is not a date-time");
        }
    }

    /// <summary>Whether the value's JSON kind is one the schema's type (and nullable) allows; no type allows any.</summary>
    private static bool TypeFits(JsonElement schema, JsonElement value, out string expected)
    {
        var types = !schema.TryGetProperty("type", out var type) ? []
            : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList()
            : [type.GetString()!];
        if (schema.TryGetProperty("nullable", out var nullable) && nullable.ValueKind == JsonValueKind.True)
        {
            types.Add("null");
        }

        expected = string.Join(" or ", types);
        return types.Count == 0 || types.Any(t => t switch
        {
            "null" => value.ValueKind == JsonValueKind.Null,
            "object" => value.ValueKind == JsonValueKind.Object,
            "array" => value.ValueKind == JsonValueKind.Array,
            "string" => value.ValueKind == JsonValueKind.String,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "number" => value.ValueKind == JsonValueKind.Number,
            "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && decimal.Truncate(d) == d,
            _ => throw new InvalidOperationException($"The checker does not know the type '{t}'."),
        });
    }

    private JsonElement Resolve(string reference)
    {
        if (!reference.StartsWith(ComponentPrefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The checker follows only {ComponentPrefix}... references, not '{reference}'.");
        }

        var name = reference[ComponentPrefix.Length..];
        return document.GetProperty("components").GetProperty("schemas").TryGetProperty(name, out var schema)
            ? schema
            : throw new InvalidOperationException($"The document has no schema '{name}' ({reference}).");
    }

    private static decimal Limit(JsonElement limit) =>
        limit.ValueKind == JsonValueKind.String ? decimal.Parse(limit.GetString()!, CultureInfo.InvariantCulture) : limit.GetDecimal();

    private static string Show(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length > 200 ? text[..200] + "…" : text;
    }
}
