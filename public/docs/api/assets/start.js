// An external file rather than an inline script, so the page's policy can forbid inline scripts.
// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
window.addEventListener('load', () => {
  window.SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    validatorUrl: null,
    deepLinking: true,
  });
});
