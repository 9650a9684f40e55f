# GridQueue server image: build with the SDK, run on the ASP.NET Core runtime as the images' non-root "app" user.
#   docker build -t gridqueue .
#   docker run -p 8080:8080 -v gridqueue-data:/data -e Auth__JwtSecret=... gridqueue
# Give it time to drain on stop (a submit in flight is let finish): docker stop -t 60.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/GridQueue.Server -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# The database and the key ring that encrypts users' upstream keys: one volume, written by the app user only.
RUN mkdir /data && chown "$APP_UID" /data
VOLUME /data
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Storage__DataDirectory=/data
EXPOSE 8080
USER $APP_UID
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s CMD ["dotnet", "GridQueue.Server.dll", "healthcheck"]
ENTRYPOINT ["dotnet", "GridQueue.Server.dll"]
