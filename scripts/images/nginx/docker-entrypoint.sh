#!/bin/sh
# The part of the official nginx image's entrypoint that docker-compose.yml relies on: every
# /etc/nginx/templates/*.template becomes a file of /etc/nginx/conf.d/ through envsubst, substituting only the
# variables whose names match NGINX_ENVSUBST_FILTER (so nginx's own $variables survive).
set -eu
if [ "${1:-}" = nginx ]; then
  template_dir=${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}
  suffix=${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}
  output_dir=${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}
  filter=${NGINX_ENVSUBST_FILTER:-}
  defined=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" </dev/null))
  if [ -d "$template_dir" ]; then
    find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
      relative=${template#"$template_dir/"}
      output="$output_dir/${relative%"$suffix"}"
      mkdir -p "$(dirname "$output")"
      echo "$0: $template -> $output"
      envsubst "$defined" < "$template" > "$output"
    done
  fi
fi
exec "$@"
