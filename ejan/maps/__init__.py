"""maps: pins on the city map (facilities, hazards, event venues, road works, shelters…), the Folium page, keitai lists, GeoJSON."""
