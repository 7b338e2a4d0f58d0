using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Vapora.Contracts;
using Vapora.ServiceDefaults.Security;
using Vapora.WorkflowApi.Persistence;
using Vapora.WorkflowApi.Workflows;

namespace Vapora.WorkflowApi.Tests;

/// <summary>
/// The Idempotency-Key header as a request presents it: one printable key of up to 255 characters, belonging to the
/// token's subject (or to anonymous with authentication off), else a 400 naming the header; and the fingerprints that
/// tell a retry from another request reusing the key.
/// </summary>
public sealed class IdempotencyKeysTests
{
    private static readonly WorkflowRequestValidator Validator = new(Options.Create(new WorkflowLimits()));
    private static readonly WorkflowAccess Open = new(new AuthMode(IsOff: true));
    private static readonly WorkflowAccess Secured = new(new AuthMode(IsOff: false));

    [Fact]
    public void A_request_without_the_header_has_no_key_and_no_problem()
    {
        Assert.True(IdempotencyKeys.TryRead(Request(null), Validator, Open, out var key, out var problem));
        Assert.Null(key);
        Assert.Null(problem);
    }

    [Fact]
    public void With_authentication_off_a_key_belongs_to_anonymous()
    {
        Assert.True(IdempotencyKeys.TryRead(Request("retry-7", ("sub", "alice")), Validator, Open, out var key, out var problem));
        Assert.Equal(new SubjectKey(SubjectKey.Anonymous, "retry-7"), key);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("alice", "svc", "sub:alice")]      // the subject first
    [InlineData(null, "svc", "client:svc")]        // a client-credentials token
    [InlineData("", "svc", "client:svc")]          // an empty sub names no one
    public void With_authentication_on_a_key_belongs_to_the_tokens_subject(string? sub, string? clientId, string subject)
    {
        var claims = new List<(string, string)>();
        if (sub is not null)
        {
            claims.Add(("sub", sub));
        }

        if (clientId is not null)
        {
            claims.Add(("client_id", clientId));
        }

        Assert.True(IdempotencyKeys.TryRead(Request("k", [.. claims]), Validator, Secured, out var key, out var problem));
        Assert.Equal(new SubjectKey(subject, "k"), key);
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("", "")]
    public void A_token_that_names_no_subject_cannot_send_a_key(params string[] subAndClient)
    {
        var claims = subAndClient.Length == 2 ? new[] { ("sub", subAndClient[0]), ("client_id", subAndClient[1]) } : [("scope", "workflows:write")];

        Assert.False(IdempotencyKeys.TryRead(Request("k", claims), Validator, Secured, out var key, out var problem));

        Assert.Null(key);
        Assert.Contains("no sub (nor client_id) claim", Error(problem), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_of_the_longest_length_is_taken_and_one_character_more_refused()
    {
        var longest = new string('k', new WorkflowLimits().MaxIdempotencyKeyLength);

        Assert.True(IdempotencyKeys.TryRead(Request(longest), Validator, Open, out var key, out _));
        Assert.Equal(longest, key!.Value.Key);
        Assert.False(IdempotencyKeys.TryRead(Request(longest + "k"), Validator, Open, out key, out var problem));
        Assert.Null(key);
        Assert.Equal("Idempotency-Key must be 1-255 characters.", Error(problem));
    }

    [Theory]
    [InlineData("", "Idempotency-Key must be 1-255 characters.")]
    [InlineData("two words", "Idempotency-Key must be printable ASCII without spaces.")]
    [InlineData("clé", "Idempotency-Key must be printable ASCII without spaces.")]
    [InlineData("k1,k2", "Send one Idempotency-Key header with one key (no commas).")] // what two header lines arrive as
    public void A_key_that_is_not_one_printable_value_is_refused_naming_the_header(string header, string error)
    {
        Assert.False(IdempotencyKeys.TryRead(Request(header), Validator, Open, out var key, out var problem));

        Assert.Null(key);
        Assert.Equal(error, Error(problem));
    }

    [Fact]
    public void Two_header_values_are_refused()
    {
        var request = Request(null);
        request.Headers[IdempotencyKeys.HeaderName] = new StringValues(["k1", "k2"]);

        Assert.False(IdempotencyKeys.TryRead(request, Validator, Open, out var key, out var problem));

        Assert.Null(key);
        Assert.Equal("Send one Idempotency-Key header with one key (no commas).", Error(problem));
    }

    [Fact]
    public void A_create_retried_with_the_same_body_has_the_same_fingerprint_and_any_other_body_another()
    {
        var create = new CreateWorkflowRequest { Name = "build", TotalSteps = 10, Message = "queued" };
        string[] others =
        [
            IdempotencyKeys.Fingerprint(create with { Name = "deploy" }),
            IdempotencyKeys.Fingerprint(create with { TotalSteps = 11 }),
            IdempotencyKeys.Fingerprint(create with { TotalSteps = null }),
            IdempotencyKeys.Fingerprint(create with { Message = "started" }),
            IdempotencyKeys.Fingerprint(create with { Name = "build1", TotalSteps = 0 }), // fields do not run into each other
        ];

        Assert.Equal(IdempotencyKeys.Fingerprint(create), IdempotencyKeys.Fingerprint(create with { }));
        Assert.Equal(others.Length + 1, others.Append(IdempotencyKeys.Fingerprint(create)).Distinct().Count());
    }

    [Fact]
    public void A_patch_retried_as_it_was_has_the_same_fingerprint_and_another_workflow_if_match_or_body_another()
    {
        var patch = new UpdateWorkflowRequest { Status = WorkflowStatus.Running, CurrentStep = 3, TotalSteps = 10, Message = "step 3" };
        var same = IdempotencyKeys.Fingerprint("wf-1", 2, patch);
        string[] others =
        [
            IdempotencyKeys.Fingerprint("wf-2", 2, patch),
            IdempotencyKeys.Fingerprint("wf-1", 3, patch),
            IdempotencyKeys.Fingerprint("wf-1", null, patch), // without If-Match
            IdempotencyKeys.Fingerprint("wf-1", 2, patch with { Status = WorkflowStatus.Completed }),
            IdempotencyKeys.Fingerprint("wf-1", 2, patch with { Status = null }),
            IdempotencyKeys.Fingerprint("wf-1", 2, patch with { CurrentStep = 4 }),
            IdempotencyKeys.Fingerprint("wf-1", 2, patch with { CurrentStep = null }),
            IdempotencyKeys.Fingerprint("wf-1", 2, patch with { TotalSteps = 12 }),
            IdempotencyKeys.Fingerprint("wf-1", 2, patch with { TotalSteps = null }),
            IdempotencyKeys.Fingerprint("wf-1", 2, patch with { Message = null }), // keeps the message
            IdempotencyKeys.Fingerprint("wf-1", 2, patch with { Message = "" }),   // clears it
        ];

        Assert.Equal(same, IdempotencyKeys.Fingerprint("wf-1", 2, patch with { }));
        Assert.Equal(others.Length + 1, others.Append(same).Distinct().Count());
    }

    // A claim outlives a deployment (Retention:IdempotencyKeyLifetime, 24 h): a retry that reaches a replica of the next version
    // must compute the fingerprint its first attempt stored, or it is refused as another request reusing the key.
    // The values: SHA-256 of the fields joined by U+001F ("build", "10", ""; "deploy", "", ""; "PATCH", "wf-1", "*", "",
    // "1", "", "m"; "PATCH", "wf-2", "3", "completed", "", "", ""), computed outside .NET. Between them every field is
    // both present and absent once.
    [Fact]
    public void Fingerprints_are_stable_across_versions_of_the_api()
    {
        Assert.Equal("76F592D4F96388F2875A26B89CC9BC00DC6EB351AB0B25ADE42FAA3A8171795B",
            IdempotencyKeys.Fingerprint(new CreateWorkflowRequest { Name = "build", TotalSteps = 10 }));
        Assert.Equal("4ABE7C241C6F620C931DF5E5ACC7531762C09327E8E29401F22CB82BE7DC26F1",
            IdempotencyKeys.Fingerprint("wf-1", null, new UpdateWorkflowRequest { CurrentStep = 1, Message = "" }));
        Assert.Equal("174CA59EF5EC395CBABA40DE3C833FEE1969E42663F0A6333B3985531A9F9ED7",
            IdempotencyKeys.Fingerprint(new CreateWorkflowRequest { Name = "deploy" }));
        Assert.Equal("782940F3BD9CC8B96548C73FEF80ABB34846E6E497374F6C508CDDD5B2AE2BD9",
            IdempotencyKeys.Fingerprint("wf-2", 3, new UpdateWorkflowRequest { Status = WorkflowStatus.Completed }));
    }

    private static HttpRequest Request(string? key, params (string Type, string Value)[] claims)
    {
        var http = new DefaultHttpContext
        {
            User = new ClaimsPrincipal(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "Bearer")),
        };
        if (key is not null)
        {
            http.Request.Headers[IdempotencyKeys.HeaderName] = key;
        }

        return http.Request;
    }

    private static string Error(ValidationProblem? problem)
    {
        Assert.NotNull(problem);
        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
        return Assert.Single(Assert.Single(problem.ProblemDetails.Errors, e => e.Key == IdempotencyKeys.HeaderName).Value);
    }
}
