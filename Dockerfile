# n8n with n8n-nodes-fintech-identity built in: one image for the main process and every worker of n8n's queue mode,
# so that each of them loads the package (a worker without it fails with "Unrecognized node type"). The package is
# installed by scripts/n8n/install-package.sh, the script test:queue and test:n8n install it with, into n8n's
# community-nodes folder /home/node/.n8n/nodes.
#
#   npm ci && npm run build && npm pack        # → n8n-nodes-fintech-identity-<version>.tgz
#   docker build --build-arg N8N_VERSION=2.41.1 -t n8n-fintech-identity .
#
# Run it as main (`n8n start`) and as workers (`n8n worker`), with the same N8N_ENCRYPTION_KEY and QUEUE_BULL_REDIS_*
# settings everywhere. A volume at /home/node/.n8n (n8n's data) is what n8n then reads the package from: a new
# named volume is filled from this image, an existing one keeps what it had. After an upgrade, run once in a
# container:  sh /opt/fintech-identity/install-package.sh /opt/fintech-identity/n8n-nodes-fintech-identity-*.tgz
ARG N8N_VERSION=2.41.1
FROM n8nio/n8n:${N8N_VERSION}
COPY --chown=node:node scripts/n8n/install-package.sh n8n-nodes-fintech-identity-*.tgz /opt/fintech-identity/
RUN sh /opt/fintech-identity/install-package.sh /opt/fintech-identity/n8n-nodes-fintech-identity-*.tgz /home/node
