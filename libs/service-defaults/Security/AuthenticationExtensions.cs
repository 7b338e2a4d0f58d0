using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Vapora.ServiceDefaults.Security;

/// <summary>JWT bearer authentication and the workflow policies, as configured in <c>Auth</c>.</summary>
public static class AuthenticationExtensions
{
    /// <summary>Policy: may write workflows.</summary>
    public const string WritePolicy = "workflows:write";

    /// <summary>Policy: an authenticated caller (per-workflow reads are checked against the workflow).</summary>
    public const string ReadPolicy = "workflows:read";

    /// <summary>
    /// The query parameter that may carry the token on a WebSocket upgrade and on endpoints marked with
    /// <see cref="AccessTokenInQuery"/> (browsers cannot set headers there).
    /// </summary>
    public const string AccessTokenQueryParameter = "access_token";

    /// <summary>
    /// The authentication middleware. With <c>Auth:Mode=none</c> it says so at start-up, as a warning, since then
    /// nothing is protected.
    /// </summary>
    public static WebApplication UseVaporaAuthentication(this WebApplication app)
    {
        if (app.Services.GetRequiredService<AuthMode>().IsOff)
        {
            SecurityLog.AuthenticationOff(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Vapora.Security"));
        }

        app.UseAuthentication();
        return app;
    }

    /// <summary>Adds authentication and authorization per <c>Auth:Mode</c>; fails at start-up on a half-configured <c>jwt</c>.</summary>
    public static IHostApplicationBuilder AddVaporaAuthentication(this IHostApplicationBuilder builder)
    {
        // Read now, because the mode decides what is registered; bound and validated again as options on start.
        var options = ReadOptions(builder.Configuration);
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .Validate(o => Enum.IsDefined(o.Mode), UnknownModeMessage)
            .ValidateOnStart();
        builder.Services.AddSingleton(new AuthMode(options.Mode == AuthenticationMode.None));
        builder.Services.AddSingleton<WorkflowAccess>();
        switch (options.Mode)
        {
            case AuthenticationMode.None:
                builder.Services.AddAuthentication();
                builder.Services.AddAuthorizationBuilder()
                    .AddPolicy(WritePolicy, p => p.RequireAssertion(_ => true))
                    .AddPolicy(ReadPolicy, p => p.RequireAssertion(_ => true));
                break;
            default:
                AddJwt(builder, options.Jwt);
                break;
        }

        return builder;
    }

    /// <summary>Retry-After (seconds) of a request refused because the token issuer is unreachable.</summary>
    public const string IssuerRetryAfterSeconds = "5";

    private const string UnknownModeMessage = "Auth:Mode must be 'jwt' or, for local development only, 'none'.";

    private static AuthOptions ReadOptions(IConfiguration configuration)
    {
        var section = configuration.GetSection(AuthOptions.SectionName);
        AuthOptions? options;
        try
        {
            options = section.Get<AuthOptions>();
        }
        catch (InvalidOperationException ex)
        {
            // The binder's own message names the type, not the choices.
            throw new InvalidOperationException($"{UnknownModeMessage} It is '{section["Mode"]}'.", ex);
        }

        options ??= new AuthOptions();
        return Enum.IsDefined(options.Mode)
            ? options
            : throw new InvalidOperationException($"{UnknownModeMessage} It is '{section["Mode"]}'.");
    }

    private static void AddJwt(IHostApplicationBuilder builder, AuthOptions.JwtSettings jwt)
    {
        if (string.IsNullOrWhiteSpace(jwt.Issuer) || string.IsNullOrWhiteSpace(jwt.Audience))
        {
            throw new InvalidOperationException("Auth:Jwt:Issuer and Auth:Jwt:Audience are required when Auth:Mode is jwt. For local development set Auth__Mode=none.");
        }

        var keys = new List<SecurityKey>();
        if (!string.IsNullOrWhiteSpace(jwt.SigningKey))
        {
            var secret = Encoding.UTF8.GetBytes(jwt.SigningKey);
            if (secret.Length < 32)
            {
                throw new InvalidOperationException("Auth:Jwt:SigningKey must be at least 32 bytes.");
            }

            keys.Add(new SymmetricSecurityKey(secret));
        }

        if (!string.IsNullOrWhiteSpace(jwt.PublicKeyPem))
        {
            keys.Add(ReadPublicKey(jwt.PublicKeyPem));
        }

        if (keys.Count == 0 && jwt.Authority is null)
        {
            throw new InvalidOperationException(
                "Auth:Mode is jwt but no key is configured: set Auth:Jwt:SigningKey (HS256), Auth:Jwt:PublicKeyPem (RS256/ES256) or Auth:Jwt:Authority (JWKS). For local development set Auth__Mode=none.");
        }

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.Authority = jwt.Authority?.ToString();
            o.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = jwt.Issuer,
                ValidAudience = jwt.Audience,
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                ClockSkew = jwt.ClockSkew,
                IssuerSigningKeys = keys.Count > 0 ? keys : null,
                ValidateIssuerSigningKey = true,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384,
                    SecurityAlgorithms.RsaSha512, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSsaPssSha256],
            };
            o.Events = new JwtBearerEvents
            {
                // Browsers cannot set headers on a WebSocket upgrade or an EventSource request; accept the token from
                // the query there only, so REST tokens never land in URLs and access logs.
                OnMessageReceived = context =>
                {
                    var http = context.HttpContext;
                    var queryAllowed = http.WebSockets.IsWebSocketRequest || http.GetEndpoint()?.Metadata.GetMetadata<AccessTokenInQuery>() is not null;
                    if (queryAllowed && context.Request.Query.TryGetValue(AccessTokenQueryParameter, out var token) && token.Count == 1)
                    {
                        context.Token = token[0];
                    }

                    return Task.CompletedTask;
                },

                // Without this the handler rethrows the failed fetch and the request ends in a 500.
                OnAuthenticationFailed = context =>
                {
                    if (context.Exception is IssuerUnavailableException)
                    {
                        context.Fail(context.Exception);
                    }

                    return Task.CompletedTask;
                },

                // No token can be checked while the issuer is unreachable: that is an outage, not a bad token.
                OnChallenge = context =>
                {
                    if (context.AuthenticateFailure is not IssuerUnavailableException)
                    {
                        return Task.CompletedTask;
                    }

                    context.HandleResponse();
                    context.Response.Headers.RetryAfter = IssuerRetryAfterSeconds;
                    return TypedResults.Problem(
                        statusCode: StatusCodes.Status503ServiceUnavailable,
                        title: "Tokens cannot be checked right now",
                        detail: "The token issuer's keys cannot be fetched; retry later.").ExecuteAsync(context.HttpContext);
                },
            };

            // After a failed fetch the handler retries with a growing backoff capped at this interval (default 5
            // minutes): keep the wait after an identity-provider outage short. Also the least time between two
            // refreshes forced by a token signed with an unknown key.
            o.RefreshInterval = TimeSpan.FromSeconds(30);
        });

        // Runs after the handler's own post-configuration, which creates the configuration manager from Authority.
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o =>
        {
            if (o.ConfigurationManager is { } manager and not IssuerKeySource)
            {
                o.ConfigurationManager = new IssuerKeySource(manager, o.MetadataAddress);
            }
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(WritePolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => WorkflowClaims.CanWrite(c.User)))
            .AddPolicy(ReadPolicy, p => p.RequireAuthenticatedUser());
    }

    private static AsymmetricSecurityKey ReadPublicKey(string pem)
    {
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (ArgumentException)
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(pem);
            return new ECDsaSecurityKey(ecdsa);
        }
    }
}
