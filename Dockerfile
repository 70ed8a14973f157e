# One image for every AeroFly service; the SERVICE setting picks which one a container runs
# (gateway | flights | bookings | notifications). Services run from their TypeScript sources with
# tsx, exactly as `npm run start:<service>` does; the gateway serves the web app built here.
FROM node:20-slim

WORKDIR /app
COPY . .
# Dependency install scripts are not needed (see allowScripts in package.json); the web app is
# built explicitly instead of by the postinstall hook.
RUN npm ci --ignore-scripts --no-audit --no-fund \
  && npm run build:web \
  && npm cache clean --force \
  && mkdir -p /data && chown node:node /data

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    DATA_DIR=/data \
    SERVICE=gateway
USER node
EXPOSE 3000 3001 3002 3003

# Liveness only; orchestrators should route traffic on GET /ready (503 while a dependency is down).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD node -e "const p={gateway:process.env.GATEWAY_PORT||3000,flights:process.env.FLIGHTS_PORT||3001,bookings:process.env.BOOKINGS_PORT||3002,notifications:process.env.NOTIFICATIONS_PORT||3003}[process.env.SERVICE];fetch('http://127.0.0.1:'+p+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"

# exec: the service itself receives SIGTERM from `docker stop` and shuts down gracefully.
CMD ["sh", "-c", "exec node --import tsx services/${SERVICE}/src/server.ts"]
