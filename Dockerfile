# crosswire as an image: the built CLI (bin/crosswire.js → dist/), for shards and merges in Kubernetes
FROM node:24-slim
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY scenarios ./scenarios
# npm ci builds dist/ through `prepare`
RUN npm ci --no-audit --no-fund && npm prune --omit=dev
ENTRYPOINT ["node", "/app/bin/crosswire.js"]
